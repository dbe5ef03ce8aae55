"""How fast does ``teian audit verify`` read the log, and in how much memory?  Prints
figures; asserts nothing.  (Target, issue 13: ≥ 50,000 events/s on SQLite and
PostgreSQL, memory flat — ≤ 200 MB at 5M events.)

Writes N events (default 1,000,000) in chains of five — one chain per proposal, as the
app writes them: real hashes, salted reason digests, chain heads — then runs
``teian audit verify`` in a child process and prints its events per second and peak RSS.

    python benchmarks/audit_verify.py [N]                 # SQLite in a temp folder
    TEIAN_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/teian_bench \\
        python benchmarks/audit_verify.py [N]             # an empty PostgreSQL database
"""

from __future__ import annotations

import os
import resource
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
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
        teian = Path(sys.executable).with_name("teian")
        began = time.perf_counter()
        done = subprocess.run([str(teian), "audit", "verify"], capture_output=True, text=True)
        took = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print((done.stdout + done.stderr).strip().splitlines()[0])
        print(f"verify: {n:,} events in {took:.1f} s = {n / took:,.0f} events/s, "
              f"peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
