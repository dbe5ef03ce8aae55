"""How fast are the lists, queues, pages, dashboard and search at scale?  Prints figures;
asserts nothing.

Takes a database benchmarks/generate.py filled (``--sqlite FILE`` or ``--pg URL``; read,
not changed, but for the API tokens it issues) and sends each request through the whole
application in-process (the Flask test client: routing, sign-in, queries, templates),
40 times one after the other after 3 warm-up requests, and prints p50 and p95:

- the public list: page 1, a deep page (the cursor 50 pages in), filtered by state and by
  theme; a proposal's page; the Atom feeds of the list (50 entries) and of a proposal;
- the liaison's queue (the busiest liaison: the HTML page and the API), the office's queue,
  a proposal's staff page and its API detail;
- the dashboard (``/api/v1/stats`` and ``/staff/dashboard``);
- search, in the public list and the office's queue: two- and three-character words that
  are in many proposals and in none, and 壇の花, in none though its two pairs are common.

    python benchmarks/list_pages.py --sqlite /work/data/teian-1m.sqlite3
    python benchmarks/list_pages.py --pg postgresql+psycopg://postgres@127.0.0.1/teian_1m
    python benchmarks/list_pages.py --sqlite FILE --only dashboard   # those requests only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import create_app  # noqa: E402
from intake.auth import issue_api_token  # noqa: E402
from intake.demo import DEMO_PASSWORD  # noqa: E402
from intake.models import Category, Proposal, Role, User  # noqa: E402

SEARCHES = {"2 chars, hit (花壇)": "花壇", "2 chars, miss (鯨飯)": "鯨飯",
            "3 chars, hit (バス停)": "バス停", "3 chars, miss (ペンギ)": "ペンギ",
            # its pairs 壇の and の花 are each common, never side by side
            "3 chars, miss of common pairs (壇の花)": "壇の花"}
TARGETS = {"dashboard": 300, "search": 100}


def setup(app) -> dict:
    """Who signs in, the tokens, a theme, a published proposal (the newest)."""
    session = app.extensions["teian.session"]()
    with app.app_context():
        office = session.execute(
            select(User).where(User.role == Role.office).order_by(User.id)).scalars().first()
        busiest = session.execute(
            select(Proposal.assignee_id).where(Proposal.assignee_id.is_not(None))
            .group_by(Proposal.assignee_id).order_by(func.count().desc()).limit(1)).scalar()
        liaison = session.get(User, busiest)
        found = {
            "office": office.email, "liaison": liaison.email,
            "office_token": issue_api_token(session, office, "list_pages"),
            "liaison_token": issue_api_token(session, liaison, "list_pages"),
            "category": session.execute(select(Category.code).order_by(
                Category.sort_order)).scalars().first(),
            "published": session.execute(select(func.max(Proposal.id)).where(
                Proposal.published_at.is_not(None))).scalar_one(),
        }
        session.commit()
    session.close()
    return found


def signed_in(app, email: str):
    client = app.test_client()
    answer = client.post("/staff/login", data={"email": email, "password": DEMO_PASSWORD})
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in as {email}: {answer.status_code}")
    return client


def deep_cursor(client, pages: int = 50) -> str:
    """The cursor of the public list's page ``pages + 1``, walked through the API."""
    cursor = ""
    for _ in range(pages):
        body = client.get(f"/api/v1/proposals?cursor={quote(cursor)}").get_json()
        cursor = body["next_cursor"]
    return cursor


def measure(client, path: str, headers: dict, repeat: int) -> tuple[float, float, int]:
    for _ in range(3):
        status = client.get(path, headers=headers).status_code
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        status = client.get(path, headers=headers).status_code
        runs.append((time.perf_counter() - t) * 1000)
    runs.sort()
    return statistics.median(runs), runs[max(0, round(len(runs) * 0.95) - 1)], status


def cases(found: dict, cursor: str) -> list[tuple[str, str, str, dict]]:
    """(what, who, path, headers); who: public, office or liaison."""
    office = {"Authorization": f"Bearer {found['office_token']}"}
    liaison = {"Authorization": f"Bearer {found['liaison_token']}"}
    pid = found["published"]
    rows = [
        ("public list, page 1", "public", "/proposals", {}),
        ("public list, page 51 (cursor)", "public", f"/proposals?cursor={quote(cursor)}", {}),
        ("public list, state=adopted", "public", "/proposals?state=adopted", {}),
        (f"public list, category={found['category']}", "public",
         f"/proposals?category={found['category']}", {}),
        ("public list API, page 1", "public", "/api/v1/proposals", {}),
        ("proposal page", "public", f"/proposals/{pid}", {}),
        ("feed of the list, 50 entries", "public", "/proposals.atom", {}),
        ("feed of the list, state=adopted", "public", "/proposals.atom?state=adopted", {}),
        ("feed of a proposal", "public", f"/proposals/{pid}.atom", {}),
        ("liaison queue page 1 (HTML)", "liaison", "/staff/", {}),
        ("liaison queue page 1 (API)", "public", "/api/v1/queue", liaison),
        ("office queue page 1 (HTML)", "office", "/staff/", {}),
        ("office queue page 1 (API)", "public", "/api/v1/queue", office),
        ("staff proposal page", "office", f"/staff/proposals/{pid}", {}),
        ("staff proposal detail (API)", "public", f"/api/v1/proposals/{pid}/detail", office),
        ("dashboard /api/v1/stats", "public", "/api/v1/stats", office),
        ("dashboard /staff/dashboard", "office", "/staff/dashboard", {}),
    ]
    for name, q in SEARCHES.items():
        rows.append((f"search public list, {name}", "public", f"/proposals?q={quote(q)}", {}))
        rows.append((f"search office queue, {name}", "public", f"/api/v1/queue?q={quote(q)}",
                     office))
    return rows


def target(name: str) -> int:
    return next((ms for word, ms in TARGETS.items() if word in name), 30)


def run(url: str, repeat: int, only: list[str] | None = None) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"instance_path": instance, "database_url": url,
                          "secret_key": "benchmark", "base_url": "http://127.0.0.1",
                          "smtp_url": "", "flask": {"RATELIMIT_ENABLED": False,
                                                    "WTF_CSRF_ENABLED": False}})
        session = app.extensions["teian.session"]()
        with app.app_context():
            count = session.execute(select(func.count()).select_from(Proposal)).scalar_one()
        session.close()
        found = setup(app)
        clients = {"public": app.test_client(), "office": signed_in(app, found["office"]),
                   "liaison": signed_in(app, found["liaison"])}
        cursor = deep_cursor(clients["public"])
        print(f"\n{app.extensions['teian.engine'].url.get_backend_name()}, {count:,} proposals"
              f" (p50 / p95 of {repeat} sequential requests, in-process)")
        print("| request | p50 ms | p95 ms | target | status |")
        print("|---|---|---|---|---|")
        for name, who, path, headers in cases(found, cursor):
            if only and not any(word in name for word in only):
                continue
            p50, p95, status = measure(clients[who], path, headers, repeat)
            mark = "" if p95 <= target(name) else " **over**"
            print(f"| {name} | {p50:.1f} | {p95:.1f} | ≤ {target(name)} ms{mark} | {status} |",
                  flush=True)
        app.extensions["teian.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", metavar="FILE", help="a file benchmarks/generate.py made")
    where.add_argument("--pg", metavar="URL", help="a database benchmarks/generate.py filled")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--only", help="comma-separated words: only the requests they name "
                                       "(e.g. dashboard,search)")
    args = parser.parse_args()
    run(args.pg or f"sqlite:///{Path(args.sqlite).resolve()}", args.repeat,
        args.only.split(",") if args.only else None)


if __name__ == "__main__":
    main()
