"""How fast does ``teian audit verify`` read the log, and in how much memory?  Prints
figures; asserts nothing.  (Target, issue 13: ≥ 50,000 events/s on SQLite and
PostgreSQL, memory flat — ≤ 200 MB at 5M events.)

Writes N events (default 1,000,000) in chains of five — one chain per proposal, as the
app writes them: real hashes, salted reason digests, chain heads — then runs
``teian audit verify`` in a child process, once per ``--jobs`` value (the processes that
hash side by side), and prints its events per second and peak RSS.

    python benchmarks/audit_verify.py [N] [--jobs 1,2]    # SQLite in a temp folder
    TEIAN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/teian_bench \\
        python benchmarks/audit_verify.py [N]             # an empty PostgreSQL database
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import create_app, migrate  # noqa: E402
from intake.audit import GENESIS, event_hash, reason_digest  # noqa: E402
from intake.models import ChainHead, Event  # noqa: E402

PER_CHAIN = 5
BATCH = 10_000
ACTIONS = ("submit", "route", "transition", "transition", "comment")


def fill(session, n: int) -> None:
    """N events, PER_CHAIN to a chain; hashed by intake.audit's own functions."""
    start = datetime(2024, 4, 1, tzinfo=UTC)
    events, heads = [], []
    for i in range(n):
        chain_no, seq = divmod(i, PER_CHAIN)
        seq += 1
        if seq == 1:
            prev = GENESIS
        salt = f"{i:032x}"
        reason = "予算の範囲で実施します。" if seq == 4 else ""
        row = SimpleNamespace(
            chain=f"P{chain_no + 1}", seq=seq, proposal_id=None,
            at=start + timedelta(seconds=i), actor="system", actor_label="",
            action=ACTIONS[seq - 1], trigger="accept" if seq == 3 else None,
            from_state=None, to_state=None, reason=reason, reason_salt=salt,
            reason_digest=reason_digest(salt, reason), data={"n": i}, prev_hash=prev)
        row.hash = prev = event_hash(row)
        events.append(vars(row))
        if seq == PER_CHAIN or i == n - 1:
            heads.append({"chain": row.chain, "seq": seq, "hash": row.hash, "anchored": False})
        if len(events) >= BATCH:
            session.execute(insert(Event), events)
            session.execute(insert(ChainHead), heads)
            session.commit()
            events, heads = [], []
    if events:
        session.execute(insert(Event), events)
        session.execute(insert(ChainHead), heads)
    session.commit()


PEAK_OF_CHILDREN = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
                    "used = resource.getrusage(resource.RUSAGE_CHILDREN); "
                    "print(used.ru_utime + used.ru_stime, used.ru_maxrss, file=sys.stderr); "
                    "sys.exit(done.returncode)")


def timed_verify(jobs: int) -> tuple[str, float, float, float]:
    """``teian audit verify --jobs N`` in a child: its first line, seconds, the peak RSS
    (MB) of its largest process (each of the N holds about as much), and the CPU seconds
    its processes used — on SQLite the database's work too, as SQLite runs in the process;
    other jobs on the machine stretch the seconds much more than the CPU time."""
    teian = Path(sys.executable).with_name("teian")
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_OF_CHILDREN, str(teian), "audit",
                           "verify", "--jobs", str(jobs)], capture_output=True, text=True)
    took = time.perf_counter() - began
    *lines, used = (done.stdout + done.stderr).strip().splitlines()
    cpu, peak = used.split()
    return lines[0], took, int(peak) / 1024, float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to run")
    args = parser.parse_args()
    n = args.n
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TEIAN_INSTANCE_PATH", tmp)
        app = create_app()
        with app.app_context():
            engine = app.extensions["teian.engine"]
            migrate.upgrade(engine)
            session = app.extensions["teian.session"]()
            began = time.perf_counter()
            fill(session, n)
            session.close()
            print(f"wrote {n:,} events in {time.perf_counter() - began:.1f} s "
                  f"({engine.url.get_backend_name()})")
        for jobs in (int(value) for value in args.jobs.split(",")):
            said, took, peak, cpu = timed_verify(jobs)
            print(f"verify --jobs {jobs}: {said}; {n:,} events in {took:.1f} s = "
                  f"{n / took:,.0f} events/s, peak RSS {peak:.0f} MB per process; "
                  f"{cpu:.1f} s of CPU = {n / cpu:,.0f} events per CPU second")


if __name__ == "__main__":
    main()
