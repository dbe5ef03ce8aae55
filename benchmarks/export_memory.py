"""Does the open-data export keep its memory flat?  Prints figures; asserts nothing.

Fills a database (SQLite in a temp folder, or ``TEIAN_DATABASE_URL`` — emptied first)
with published proposals by bulk insert, then runs ``teian export --format … --out FILE``
in a fresh process at 10,000 rows and again at 100,000 (by default), and prints for each:
rows per second, the process's peak resident memory (``ru_maxrss``, an untraced run) and
the peak of Python's allocations during the export (``tracemalloc``, a second, traced run
— slower, so its time is not reported).  Streamed by keyset batches, both peaks should
stay where they were at 10,000 rows.

    python benchmarks/export_memory.py [N ...]          # default 10000 100000
    python benchmarks/export_memory.py --formats csv,json 10000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import create_app, migrate  # noqa: E402
from intake.models import (  # noqa: E402
    Category,
    Department,
    District,
    Proposal,
    ProposerContact,
    PublishedText,
)
from intake.seed import load_defaults  # noqa: E402

STATES = ["in_review", "in_deliberation", "adopted", "rejected", "implementing"]
RULED = {"adopted", "rejected"}
BATCH = 10_000


def fill(session, upto: int) -> None:
    """Published proposals with ids up to ``upto`` (those already there are kept)."""
    load_defaults(session)
    session.commit()
    have = session.execute(select(func.coalesce(func.max(Proposal.id), 0))).scalar_one()
    departments = [d.id for d in session.execute(select(Department)).scalars()]
    categories = [c.id for c in session.execute(select(Category)).scalars()]
    districts = [d.id for d in session.execute(select(District)).scalars()] + [None]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for offset in range(have, upto, BATCH):
        rows, copies, contacts = [], [], []
        for i in range(offset, min(offset + BATCH, upto)):
            state = STATES[i % len(STATES)]
            at = start + timedelta(minutes=i)
            title = f"=提案 {i}" if i % 97 == 0 else f"公園のベンチ {i}"
            rows.append(dict(
                id=i + 1, kind="proposal", title=title, category_id=categories[i % len(categories)],
                problem="現状" * 40, proposal_text="提案" * 40, expected_effect="", role_split="",
                district_id=districts[i % len(districts)], language="ja",
                proposer_type="individual", publish_name=i % 3 == 0, state=state, version=1,
                lead_department_id=departments[i % len(departments)],
                tracking_token_hash=f"{i:064d}", submitted_at=at, state_entered_at=at,
                published_at=at + timedelta(days=1),
                ruling_decision=state if state in RULED else None,
                ruling_reason="理由" * 30 if state in RULED else None,
                ruled_at=at + timedelta(days=30) if state in RULED else None,
            ))
            copies.append(dict(proposal_id=i + 1, title=title, problem="現状" * 40,
                               proposal_text="提案" * 40, expected_effect="", role_split="",
                               redactions=0, updated_at=at))
            contacts.append(dict(proposal_id=i + 1, name=f"市民 {i}", organization="",
                                 email=f"p{i}@example.jp", phone="090-0000-0000",
                                 consent_at=at))
        session.execute(insert(Proposal), rows)
        session.execute(insert(ProposerContact), contacts)
        session.execute(insert(PublishedText), copies)
        session.commit()


def export_in_this_process(fmt: str, out: str) -> None:
    """The child: ``teian export`` once untraced (time, ru_maxrss), once traced."""
    from intake.cli import main

    def run() -> float:
        t = time.perf_counter()
        main(["export", "--format", fmt, "--out", out], standalone_mode=False)
        return time.perf_counter() - t

    seconds = run()
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    run()
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"seconds": seconds, "maxrss_kib": maxrss_kib, "traced_peak": peak,
                      "bytes": os.path.getsize(out)}))


def measure(fmt: str, tmp: str) -> dict:
    out = str(Path(tmp) / f"export.{fmt}")
    child = subprocess.run([sys.executable, __file__, "--child", fmt, out],
                           capture_output=True, text=True, env=os.environ, check=True)
    return json.loads(child.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--formats", default="csv")
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        export_in_this_process(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TEIAN_INSTANCE_PATH"] = tmp
        os.environ.setdefault("TEIAN_SECRET_KEY", "benchmark")
        if url := os.environ.get("TEIAN_DATABASE_URL"):
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        app = create_app()
        with app.app_context():
            engine = app.extensions["teian.engine"]
            migrate.upgrade(engine)
            session = app.extensions["teian.session"]()
            print(f"database: {engine.url.get_backend_name()}")
            print(f"{'rows':>8} {'format':>6} {'rows/s':>8} {'ru_maxrss':>10} "
                  f"{'traced peak':>12} {'file':>9}")
            for size in sorted(args.sizes):
                t = time.perf_counter()
                fill(session, size)
                print(f"  (filled to {size} in {time.perf_counter() - t:.1f} s)",
                      file=sys.stderr)
                for fmt in args.formats.split(","):
                    got = measure(fmt, tmp)
                    print(f"{size:>8} {fmt:>6} {size / got['seconds']:>8.0f} "
                          f"{got['maxrss_kib'] / 1024:>8.1f}MB "
                          f"{got['traced_peak'] / 2**20:>10.1f}MB "
                          f"{got['bytes'] / 2**20:>7.1f}MB", flush=True)


if __name__ == "__main__":
    main()
