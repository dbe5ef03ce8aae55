"""How fast is search at scale?  Prints p50/p95 per query; asserts nothing.

Fills a database with N proposals of realistic Japanese text (about 130 characters
each, built from a vocabulary of places, things, people and sentences; four in five
published), indexes them as the application does (intake/search/index.py), then times
page 1 of the public list and of the office's queue with ``q``:

- a word that matches nothing (ペンギン), and a miss made of common characters (公園提案書);
- a common word (提案します: nearly every proposal), a mid word (防犯カメラ);
- a two-character word (花壇), one character (駅), two words (バス 屋根).

    python benchmarks/search.py [N]                       # SQLite in a temp folder
    python benchmarks/search.py [N] --pg postgresql+psycopg://postgres@127.0.0.1/db
    # (or TEIAN_TEST_DATABASE_URL): the PostgreSQL database's public schema is REPLACED.

N defaults to 100000; 1000000 fills in a few minutes on SQLite.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The generator's vocabulary (benchmarks/generate.py); this fill is the quicker one that
# search needs (proposals, public copies and the two indexes, no events).
from benchmarks.generate import PROBLEMS, PROPOSALS, TITLES, sentence  # noqa: E402
from intake import create_app, migrate  # noqa: E402
from intake.models import (  # noqa: E402
    Category,
    Department,
    District,
    Proposal,
    ProposerContact,
    PublishedText,
    Role,
    User,
)
from intake.queries import Filters, published_proposals  # noqa: E402
from intake.queues import queue_for  # noqa: E402
from intake.search.index import ORIGINAL, PUBLIC, Entry, document, write  # noqa: E402
from intake.seed import load_defaults  # noqa: E402

STATES = ["submitted", "in_review", "in_deliberation", "adopted", "rejected", "implementing"]

QUERIES = {
    "miss (ペンギン)": "ペンギン",
    "miss of common characters (公園提案書)": "公園提案書",
    "common word (提案します)": "提案します",
    "mid word (防犯カメラ)": "防犯カメラ",
    "two characters (花壇)": "花壇",
    "one character (駅)": "駅",
    "two words (バス 屋根)": "バス 屋根",
}


def fill(session, n: int, batch: int = 20000) -> None:
    rng = random.Random(13)
    load_defaults(session)
    session.commit()
    departments = [d.id for d in session.execute(select(Department)).scalars()]
    categories = [c.id for c in session.execute(select(Category)).scalars()]
    districts = [d.id for d in session.execute(select(District)).scalars()] + [None]
    start = datetime(2020, 1, 1, tzinfo=UTC)
    for offset in range(0, n, batch):
        rows, copies, original, public = [], [], [], []
        for i in range(offset, min(offset + batch, n)):
            state = STATES[i % len(STATES)]
            at = start + timedelta(minutes=i)
            fields = {"title": sentence(rng, TITLES),
                      "problem": sentence(rng, PROBLEMS) + sentence(rng, PROBLEMS),
                      "proposal": sentence(rng, PROPOSALS) + sentence(rng, PROPOSALS)}
            published = state != "submitted"
            rows.append(dict(
                id=i + 1, kind="proposal", title=fields["title"],
                category_id=categories[i % len(categories)], problem=fields["problem"],
                proposal_text=fields["proposal"], expected_effect="", role_split="",
                district_id=districts[i % len(districts)], language="ja",
                proposer_type="individual", publish_name=False, state=state, version=1,
                lead_department_id=departments[i % len(departments)],
                tracking_token_hash=f"{i:064d}", submitted_at=at, state_entered_at=at,
                due_on=date(2020, 1, 1) + timedelta(days=i % 3000),
                published_at=at if published else None,
            ))
            folded = document(fields)
            original.append(Entry(i + 1, None, folded))
            if published:
                copies.append(dict(proposal_id=i + 1, title=fields["title"],
                                   problem=fields["problem"], proposal_text=fields["proposal"],
                                   expected_effect="", role_split="", redactions=0,
                                   updated_at=at))
                public.append(Entry(i + 1, None, folded))
        session.execute(insert(Proposal), rows)
        session.execute(insert(ProposerContact), [
            dict(proposal_id=r["id"], name="x", organization="", email="x@example.jp",
                 phone="", consent_at=start) for r in rows])
        session.execute(insert(PublishedText), copies)
        write(session.connection(), ORIGINAL, original)
        write(session.connection(), PUBLIC, public)
        session.commit()
        print(f"  {offset + len(rows)} proposals", file=sys.stderr, end="\r")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()


def percentiles(fn, repeat: int) -> tuple[float, float, int]:
    runs, found = [], 0
    fn()  # warm
    for _ in range(repeat):
        t = time.perf_counter()
        found = len(fn().items)
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[max(0, int(len(runs) * 0.95) - 1)], found


def run(n: int, database_url: str | None, repeat: int, keep: str | None = None) -> None:
    """``keep``: a SQLite file to fill once and time again on later runs."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TEIAN_INSTANCE_PATH"] = tmp
        refill = True
        if keep and not database_url:
            refill = not Path(keep).exists()
            database_url = f"sqlite:///{Path(keep).resolve()}"
            os.environ["TEIAN_DATABASE_URL"] = database_url
        elif database_url:
            os.environ["TEIAN_DATABASE_URL"] = database_url
            engine = create_engine(database_url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
        else:
            os.environ.pop("TEIAN_DATABASE_URL", None)
        app = create_app()
        with app.app_context():
            engine = app.extensions["teian.engine"]
            migrate.upgrade(engine)
            session = app.extensions["teian.session"]()
            t = time.perf_counter()
            if refill:
                fill(session, n)
            print(f"database: {engine.url.get_backend_name()}, {n} proposals "
                  f"(filled and indexed in {time.perf_counter() - t:.0f} s)")
            office = User(email="o@x", role=Role.office, department_id=1)
            today = date(2024, 6, 1)
            print(f"{'query':40} {'public list p50/p95 (rows)':>30} {'office queue p50/p95':>24}")
            for name, q in QUERIES.items():
                pub = percentiles(lambda q=q: published_proposals(session, Filters(q=q)), repeat)
                staff = percentiles(lambda q=q: queue_for(session, office, Filters(q=q), today),
                                    repeat)
                print(f"{name:40} {pub[0]:9.1f} / {pub[1]:7.1f} ms ({pub[2]:2})"
                      f" {staff[0]:9.1f} / {staff[1]:7.1f} ms")
            session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=100_000)
    parser.add_argument("--pg", help="a PostgreSQL URL (its public schema is replaced)",
                        default=os.environ.get("TEIAN_TEST_DATABASE_URL"))
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--keep", metavar="FILE",
                        help="SQLite: fill this file once, time it again on later runs")
    args = parser.parse_args()
    run(args.n, None, args.repeat, args.keep)
    if args.pg and not args.sqlite_only:
        run(args.n, args.pg, args.repeat)


if __name__ == "__main__":
    main()
