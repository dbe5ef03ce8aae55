"""How fast are the growing lists at scale?  Prints figures; asserts nothing.

Fills a database (SQLite in a temp folder by default, or
``TEIAN_DATABASE_URL``) with N proposals spread over departments, states
and districts, then times the first and a deep page of the public list and
of a liaison's and the office's queue (keyset pagination: a deep page must
cost what the first costs), and the audit-chain append.

    python benchmarks/list_pages.py [N]        # default 200000
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import create_app, migrate  # noqa: E402
from intake.models import Proposal, ProposerContact, Role, User  # noqa: E402
from intake.queries import Filters, published_proposals, queue_for  # noqa: E402
from intake.seed import load_defaults  # noqa: E402

STATES = ["submitted", "in_review", "in_deliberation", "adopted", "rejected", "implementing"]


def fill(session, n: int) -> None:
    from intake.models import Category, Department, District

    load_defaults(session)
    session.commit()
    departments = [d.id for d in session.execute(select(Department)).scalars()]
    categories = [c.id for c in session.execute(select(Category)).scalars()]
    districts = [d.id for d in session.execute(select(District)).scalars()] + [None]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    batch = 20000
    for offset in range(0, n, batch):
        rows = []
        for i in range(offset, min(offset + batch, n)):
            state = STATES[i % len(STATES)]
            rows.append(dict(
                id=i + 1, kind="proposal", title=f"提案 {i}", category_id=categories[i % 10],
                problem="現状" * 20, proposal_text="提案" * 20, expected_effect="",
                role_split="", district_id=districts[i % len(districts)], language="ja",
                proposer_type="individual", publish_name=False, state=state, version=1,
                lead_department_id=departments[i % len(departments)],
                tracking_token_hash=f"{i:064d}", submitted_at=start + timedelta(minutes=i),
                state_entered_at=start + timedelta(minutes=i),
                due_on=date(2020, 1, 1) + timedelta(days=i % 3000),
                published_at=None if state == "submitted" else start + timedelta(minutes=i),
            ))
        session.execute(insert(Proposal), rows)
        session.execute(insert(ProposerContact), [
            dict(proposal_id=r["id"], name="x", organization="", email="x@example.jp",
                 phone="", consent_at=start) for r in rows])
        session.commit()


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("TEIAN_INSTANCE_PATH", tmp)
        app = create_app()
        with app.app_context():
            engine = app.extensions["teian.engine"]
            migrate.upgrade(engine)
            session = app.extensions["teian.session"]()
            t = time.perf_counter()
            fill(session, n)
            print(f"database: {engine.url.get_backend_name()}, {n} proposals "
                  f"(filled in {time.perf_counter() - t:.1f} s)")
            liaison = User(email="l@x", role=Role.liaison, department_id=2)
            office = User(email="o@x", role=Role.office, department_id=1)
            today = date(2024, 6, 1)

            def walk(list_fn, pages: int) -> str | None:
                cursor = None
                for _ in range(pages):
                    page = list_fn(cursor)
                    cursor = page.next_cursor
                return cursor

            cases = {
                "public list, page 1": lambda c: published_proposals(session, Filters(),
                                                                     cursor=c),
                "public list, state filter": lambda c: published_proposals(
                    session, Filters(state="adopted"), cursor=c),
                "liaison queue, page 1": lambda c: queue_for(session, liaison, Filters(),
                                                             today, cursor=c),
                "office queue, page 1": lambda c: queue_for(session, office, Filters(), today,
                                                            cursor=c),
            }
            for name, fn in cases.items():
                first = timed(lambda fn=fn: fn(None))
                deep_cursor = walk(fn, 50)
                deep = timed(lambda fn=fn, c=deep_cursor: fn(c))
                print(f"{name:32} first page {first:7.2f} ms   page 51 {deep:7.2f} ms")


if __name__ == "__main__":
    main()
