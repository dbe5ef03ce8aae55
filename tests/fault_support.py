"""``kill -9`` scenarios (issue 11, "Faults"), driven against real processes: the
scenarios ``tests/test_kill.py`` runs on SQLite and PostgreSQL, whose figures
``benchmarks/security_summary.py`` prints.

- :func:`kill_server_during_bursts`: ``teian serve`` takes a burst of API submissions
  from several threads and is SIGKILLed mid-burst, then restarted, more than once.
  Every submission that was answered 201 must be in the database whole; a request the
  dead server never answered may or may not be there, but whole if it is.
- :func:`kill_workers_mid_batch`: ``teian worker`` delivers a backlog to a real SMTP
  server (aiosmtpd, in this process) and is SIGKILLed mid-batch — once at the worst
  moment (the mail server has the message, the worker has not recorded it) and once at
  a random one — then the backlog is drained.  Every message must arrive; a
  duplicate only for a message a killed worker had sent but not recorded.

Why at most one duplicate per killed worker (``intake/delivery.py``): a worker sends
the messages it claimed one at a time and records each one (its own commit) before it
starts the next, so when it dies at most one message is between the mail server's
acceptance and that record.  The other messages of its batch were never begun; they
stay leased until the lease (``LEASE``, 5 minutes) ends, then any worker sends them
once.  A living worker never sends a message twice: it records outcomes only under its
lease and does not start a message with less than ``LEASE_MARGIN`` of the lease left.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, insert, select, text, update
from sqlalchemy.engine import Engine

from intake.models import OutboxMessage, OutboxStatus, Proposal, receipt_for, utcnow

from .factories import VALID_FORM

TEIAN = [sys.executable, "-c", "from intake.cli import main; main()"]
MESSAGE_ID_HOST = "teian.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def teian_env(database_url: str, instance: Path, **settings: str) -> dict[str, str]:
    """The environment of a ``teian`` process on the test's database."""
    instance.mkdir(parents=True, exist_ok=True)
    return {**os.environ, "TEIAN_DATABASE_URL": database_url,
            "TEIAN_INSTANCE_PATH": str(instance), "TEIAN_SECRET_KEY": "fault-test",
            "TEIAN_BASE_URL": f"http://{MESSAGE_ID_HOST}", **settings}


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A ``teian`` subprocess, its output in ``log`` (read it when an assertion fails)."""
    with log.open("ab") as out:
        return subprocess.Popen([*TEIAN, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def kill_9(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def run_teian(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*TEIAN, *args], env=env, capture_output=True, text=True,
                          timeout=120)


# --- the server, killed during a burst ------------------------------------------------------


@dataclass
class Burst:
    """What the clients saw: ``acknowledged`` tag → (id, receipt) of every 201;
    ``unanswered`` tags sent to a server that died before answering; ``refused``
    tags the server answered with a refusal (anything but 201)."""

    acknowledged: dict[str, tuple[int, str]] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # a client's failure before the kill
    lock: threading.Lock = field(default_factory=threading.Lock)


def _title(tag: str) -> str:
    return f"公園に花壇をつくる提案 {tag}"


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """``teian serve`` on ``port``, once it answers."""
    server = start(["serve", "--port", str(port)], env, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/v1/categories", timeout=2).ok:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    kill_9(server)
    raise AssertionError(f"teian serve did not start:\n{log.read_text()}")


def _client(url: str, name: str, burst: Burst, dead: threading.Event) -> None:
    """Submit one proposal after another until the server is gone."""
    for n in range(100_000):
        tag = f"{name}-{n:05d}"
        try:
            answer = requests.post(url, timeout=(2, 30), json={
                **VALID_FORM, "title": _title(tag), "email": f"{tag}@example.jp"})
            body = answer.json() if answer.status_code == 201 else None
        except (requests.RequestException, ValueError) as exc:
            # killed before the request reached it, during it, or while answering
            never_reached = "NewConnectionError" in repr(exc)  # connection refused
            with burst.lock:
                if not dead.is_set():
                    burst.errors.append(f"{tag}: {exc!r}")
                elif not never_reached:
                    burst.unanswered.append(tag)
            return
        with burst.lock:
            if body is not None:
                burst.acknowledged[tag] = (body["id"], body["receipt"])
            else:
                burst.refused[tag] = answer.status_code


def burst_and_kill(server: subprocess.Popen, port: int, burst: Burst, name: str, *,
                   clients: int, kill_after: int) -> None:
    """``clients`` threads submit without pause; once ``kill_after`` more submissions
    have been acknowledged, SIGKILL the server while the others are in flight."""
    url = f"http://127.0.0.1:{port}/api/v1/proposals"
    dead = threading.Event()
    goal = len(burst.acknowledged) + kill_after
    threads = [threading.Thread(target=_client, args=(url, f"{name}c{i}", burst, dead))
               for i in range(clients)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 40
    while (len(burst.acknowledged) < goal and time.monotonic() < deadline
           and all(t.is_alive() for t in threads)):
        time.sleep(0.005)
    dead.set()
    kill_9(server)
    for thread in threads:
        thread.join(timeout=60)
    assert burst.errors == [], "a client failed before the kill"
    assert len(burst.acknowledged) >= goal, "the burst did not reach the kill point in time"


def half_written(engine: Engine) -> list[int]:
    """Proposals missing a part that their one transaction writes: the proposer's
    contact, the submit and route events and their chain head, the receipt and the
    department's message in the outbox, the staff search index's row."""
    query = """
        SELECT p.id FROM proposals p WHERE
          NOT EXISTS (SELECT 1 FROM proposer_contacts c WHERE c.proposal_id = p.id)
          OR NOT EXISTS (SELECT 1 FROM events e WHERE e.proposal_id = p.id
                         AND e.action = 'submit')
          OR NOT EXISTS (SELECT 1 FROM events e WHERE e.proposal_id = p.id
                         AND e.action = 'route')
          OR NOT EXISTS (SELECT 1 FROM event_chain_heads h WHERE h.chain = 'P' || p.id
                         AND h.seq = (SELECT max(e.seq) FROM events e
                                      WHERE e.chain = h.chain))
          OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.proposal_id = p.id
                         AND o.kind = 'receipt')
          OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.proposal_id = p.id
                         AND o.kind = 'new_item')"""
    # SQLite's index is a contentless FTS5 table, which cannot be scanned: ask it for
    # the rows holding a term every title here has (花壇).
    indexed = ("SELECT rowid FROM search_original WHERE search_original MATCH '\"花壇\"'"
               if engine.dialect.name == "sqlite" else
               "SELECT proposal_id FROM search_original")
    with engine.connect() as conn:
        broken = set(conn.execute(text(query)).scalars())
        unindexed = (set(conn.execute(select(Proposal.id)).scalars())
                     - set(conn.execute(text(indexed)).scalars()))
    return sorted(broken | unindexed)


@dataclass
class ServerKillReport:
    kills: int
    acknowledged: int
    lost: list[str]  # acknowledged, but not in the database as answered
    unanswered: int
    unanswered_present: int  # of those, in the database (whole: see half_written)
    refused_present: list[str]  # answered with a refusal, yet written
    half_written: list[int]
    proposals: int
    audit_verify: subprocess.CompletedProcess


def kill_server_during_bursts(database_url: str, workdir: Path, *, rounds: int = 2,
                              clients: int = 6, kill_after: int = 25) -> ServerKillReport:
    """``rounds`` times: start ``teian serve``, burst, kill -9 mid-burst.  Then start it
    once more, submit one more proposal (it serves), and look at what was stored.
    The database must hold a city with the theme ``parks`` (VALID_FORM)."""
    env = teian_env(database_url, workdir / "instance",
                    TEIAN_SUBMIT_LIMIT="100000 per minute")
    log = workdir / "serve.log"
    burst = Burst()
    for round_ in range(rounds):
        port = free_port()
        burst_and_kill(start_server(env, port, log), port, burst, f"r{round_}",
                       clients=clients, kill_after=kill_after)
    port = free_port()
    server = start_server(env, port, log)
    try:
        tag = "after-restart"
        answer = requests.post(f"http://127.0.0.1:{port}/api/v1/proposals", timeout=30,
                               json={**VALID_FORM, "title": _title(tag)})
        assert answer.status_code == 201, answer.text
        burst.acknowledged[tag] = (answer.json()["id"], answer.json()["receipt"])
    finally:
        server.terminate()
        server.wait(timeout=30)

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = {row.title: (row.id, receipt_for(row.id, row.submitted_at))
                      for row in conn.execute(select(Proposal.id, Proposal.title,
                                                     Proposal.submitted_at))}
        lost = [tag for tag, answered in burst.acknowledged.items()
                if stored.get(_title(tag)) != answered]
        report = ServerKillReport(
            kills=rounds, acknowledged=len(burst.acknowledged), lost=lost,
            unanswered=len(burst.unanswered),
            unanswered_present=sum(_title(t) in stored for t in burst.unanswered),
            refused_present=[t for t in burst.refused if _title(t) in stored],
            half_written=half_written(engine), proposals=len(stored),
            audit_verify=run_teian(["audit", "verify"], env),
        )
    finally:
        engine.dispose()
    return report


# --- the worker, killed mid-batch -----------------------------------------------------------


class SlowInbox:
    """An aiosmtpd handler that records every message it accepts, taking ``delay``
    seconds over each DATA.  When message number ``kill_at`` has arrived it SIGKILLs
    ``victim`` before answering: the server has the message, the worker never hears
    so and cannot record it — the one window SMTP leaves for a duplicate."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.received: list[email.message.EmailMessage] = []
        self.victim: subprocess.Popen | None = None
        self.kill_at = 0
        self.killed = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        self.received.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        if self.victim is not None and len(self.received) == self.kill_at:
            kill_9(self.victim)
            self.victim = None
            self.killed.set()
        return "250 OK"

    def message_ids(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.received)


def outbox_id(message_id: str) -> int:
    """``<teian-outbox-17@teian.test>`` → 17."""
    return int(message_id.removeprefix("<teian-outbox-").split("@")[0])


def queue_messages(engine: Engine, count: int) -> list[int]:
    """``count`` committed outbox messages, due now; their ids."""
    with engine.begin() as conn:
        conn.execute(insert(OutboxMessage), [
            {"kind": "receipt", "recipient": f"p{i}@example.jp", "language": "ja",
             "subject": f"受付のお知らせ #{i}", "body": f"message {i}\n"}
            for i in range(count)])
        return list(conn.execute(select(OutboxMessage.id).order_by(OutboxMessage.id)).scalars())


def accepted_but_unrecorded(engine: Engine, inbox: SlowInbox) -> set[int]:
    """Messages the mail server holds whose outbox row does not say sent."""
    held = {outbox_id(mid) for mid in inbox.message_ids()}
    with engine.connect() as conn:
        sent = set(conn.execute(select(OutboxMessage.id)
                                .where(OutboxMessage.status == OutboxStatus.sent)).scalars())
    return held - sent


def end_leases(engine: Engine) -> int:
    """Let the dead workers' leases run out, as five minutes later: their claimed
    messages are due again."""
    with engine.begin() as conn:
        return conn.execute(update(OutboxMessage)
                            .where(OutboxMessage.status == OutboxStatus.sending)
                            .values(next_attempt_at=utcnow())).rowcount


@dataclass
class WorkerKillReport:
    kills: int
    queued: int
    held_at_death: int  # the message the mail server had when the first worker died
    in_flight_at_kills: set[int]  # accepted by the server, unrecorded by the dead worker
    left_leased: int  # claimed by the dead workers and not sent
    missing: list[int]  # queued, never received
    duplicates: dict[int, int]  # outbox id → extra copies received
    same_message_id: bool  # every copy of a duplicate is the same message
    statuses: set[str]
    drained: str  # what ``teian worker --once`` said after the kills

    @property
    def bound(self) -> int:
        """At most one unrecorded message per killed worker (it sends one at a time)."""
        return self.kills * 1


def kill_workers_mid_batch(database_url: str, workdir: Path, *, messages: int = 200,
                           first_kill_at: int = 20, then: int = 40,
                           delay: float = 0.01) -> WorkerKillReport:
    """Queue ``messages``; a worker is killed with message ``first_kill_at`` in the
    mail server's hands; a second worker is killed at a random moment soon after
    ``then`` more arrived; the leases end; ``teian worker --once`` drains the rest."""
    engine = create_engine(database_url)
    inbox = SlowInbox(delay)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = teian_env(database_url, workdir / "worker", TEIAN_SMTP_URL=f"smtp://127.0.0.1:{port}")
    log = workdir / "worker.log"
    loop = ["worker", "--interval", "0.2"]
    workers: list[subprocess.Popen] = []
    try:
        ids = queue_messages(engine, messages)
        workers.append(start(loop, env, log))
        inbox.kill_at, inbox.victim = first_kill_at, workers[-1]
        assert inbox.killed.wait(timeout=40), log.read_text()
        held_at_death = outbox_id(inbox.received[first_kill_at - 1]["Message-ID"])
        in_flight = accepted_but_unrecorded(engine, inbox)

        workers.append(second := start(loop, env, log))
        deadline = time.monotonic() + 40
        while len(inbox.received) < first_kill_at + then and time.monotonic() < deadline:
            assert second.poll() is None, log.read_text()
            time.sleep(0.002)
        assert len(inbox.received) >= first_kill_at + then, log.read_text()
        # anywhere in the next message's exchange (connect … DATA … the worker's record)
        time.sleep(random.uniform(0, 3 * delay))
        kill_9(second)
        in_flight |= accepted_but_unrecorded(engine, inbox)

        left_leased = end_leases(engine)
        drained = run_teian(["worker", "--once"], env)
        assert drained.returncode == 0, drained.stderr
        received = inbox.message_ids()
        copies = {}
        for message in inbox.received:
            copies.setdefault(message["Message-ID"], set()).add(
                (message["Subject"], message.get_content()))
        with engine.connect() as conn:
            statuses = set(conn.execute(select(OutboxMessage.status).distinct()).scalars())
        return WorkerKillReport(
            kills=2, queued=len(ids), held_at_death=held_at_death,
            in_flight_at_kills=in_flight, left_leased=left_leased,
            missing=[i for i in ids if f"<teian-outbox-{i}@{MESSAGE_ID_HOST}>" not in received],
            duplicates={outbox_id(mid): n - 1 for mid, n in received.items() if n > 1},
            same_message_id=all(len(versions) == 1 for versions in copies.values()),
            statuses={str(s) for s in statuses}, drained=drained.stdout.strip(),
        )
    finally:
        for worker in workers:  # only if the scenario failed before killing it
            kill_9(worker)
        controller.stop()
        engine.dispose()
