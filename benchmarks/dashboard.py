"""How long do the office's figures take (``intake.office.figures.figures``, what
``/api/v1/stats`` and ``/staff/dashboard`` both compute)?  Prints figures; asserts nothing.

Takes a database benchmarks/generate.py filled (read, not changed) and calls
``figures()`` in-process ``--repeat`` times after two warm-up calls, as the office (every
department) and as the busiest department's liaison; prints the median and p95 of the
whole call, then the median of each statement it sends (the SQL's first words) replayed
alone, so a slow part shows by name.

    python benchmarks/dashboard.py --sqlite /work/data/teian-1m.sqlite3
    python benchmarks/dashboard.py --pg postgresql+psycopg://postgres@127.0.0.1/teian_1m
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake.db import make_engine  # noqa: E402
from intake.models import Proposal  # noqa: E402
from intake.office.figures import EVERYTHING, Scope, figures  # noqa: E402
from workflows.calendar import today_jst  # noqa: E402


def percentile(values: list[float], percent: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, -(-percent * len(ordered) // 100) - 1)]


def sent_by(engine, run) -> list[tuple[str, object]]:
    """The statements ``run()`` sends, with their parameters."""
    sent = []

    def note(_conn, _cursor, statement, parameters, *_args):
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return sent


def measure(engine, scope: Scope, repeat: int) -> tuple[list[float], dict[str, list[float]]]:
    """Whole calls (ms) and, per statement it sends, the times (ms) of that statement
    replayed alone with all its rows fetched (SQLite computes rows as they are fetched,
    so timing the execute alone would miss most of a GROUP BY)."""
    today = today_jst()

    def call() -> float:
        with Session(engine) as session:
            start = time.perf_counter()
            figures(session, today, scope)
            return (time.perf_counter() - start) * 1000

    call(), call()  # warm-up
    calls = [call() for _ in range(repeat)]
    statements: dict[str, list[float]] = {}
    with engine.connect() as connection:
        for statement, parameters in sent_by(engine, call):
            label = " ".join(statement.split())[:70]
            times = statements.setdefault(label, [])
            for _ in range(max(3, repeat // 2)):
                start = time.perf_counter()
                connection.exec_driver_sql(statement, parameters).fetchall()
                times.append((time.perf_counter() - start) * 1000)
    return calls, statements


def run(url: str, repeat: int) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(Proposal)).scalar_one()
        busiest = session.execute(
            select(Proposal.lead_department_id).where(Proposal.lead_department_id.is_not(None))
            .group_by(Proposal.lead_department_id).order_by(func.count().desc()).limit(1)
        ).scalar()
    print(f"\n{engine.url.get_backend_name()}, {count:,} proposals "
          f"(figures() in-process, {repeat} calls after 2 warm-up calls)")
    for name, scope in (("office", EVERYTHING), ("liaison", Scope(busiest, everything=False))):
        calls, statements = measure(engine, scope, repeat)
        print(f"\n{name}: median {statistics.median(calls):.1f} ms, "
              f"p95 {percentile(calls, 95):.1f} ms")
        print("| statement | median ms |\n|---|---|")
        for label, times in sorted(statements.items(), key=lambda kv: -sum(kv[1])):
            print(f"| {label} | {statistics.median(times):.1f} |")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", metavar="FILE", help="a file benchmarks/generate.py made")
    where.add_argument("--pg", metavar="URL", help="a database benchmarks/generate.py filled")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    run(args.pg or f"sqlite:///{Path(args.sqlite).resolve()}", args.repeat)


if __name__ == "__main__":
    main()
