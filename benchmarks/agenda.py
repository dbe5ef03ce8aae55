"""How fast is the liaison-meeting agenda at scale, and does its CSV keep memory flat?
Prints figures; asserts nothing.

In-process (Flask's test client, no HTTP server), against a database benchmarks/generate.py
filled (``--reuse URL``) or N proposals it generates into a temporary SQLite file:

- p50 and p95 of ``--repeat`` sequential requests (fewer when one takes over a second) of
  ``GET /api/v1/agenda`` (the office's first page, a deep page reached by following
  ``next_cursor``, a liaison's first page) and of the printable ``/staff/agenda``, with the
  liaison's queue ``GET /api/v1/queue`` beside them (a list of the same items that already
  paged by keyset: what a page of them costs in this process);
- ``GET /api/v1/agenda.csv`` read to the end: rows, rows per second, and the peak of
  Python's allocations while streaming it (``tracemalloc``, a second run).

    python benchmarks/agenda.py --reuse sqlite:////tmp/g100k.sqlite3
    python benchmarks/agenda.py 10000                  # generate 10,000 first
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.generate import generate, prepared_app  # noqa: E402


def timed(get, repeat: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, status) of ``repeat`` calls, fewer if a call takes over 1 s."""
    times = []
    status = 0
    for i in range(repeat):
        t = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
        if i == 0 and times[0] > 1000:
            repeat = min(repeat, 3)
        if i + 1 >= repeat:
            break
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, status


def users(app) -> dict:
    from intake.auth import issue_api_token
    from intake.models import Proposal, Role, User

    session = app.extensions["teian.session"]()
    with app.app_context():
        office = session.execute(select(User).where(User.role == Role.office)
                                 .order_by(User.id)).scalars().first()
        busiest = session.execute(
            select(Proposal.lead_department_id).where(Proposal.lead_department_id.is_not(None))
            .group_by(Proposal.lead_department_id).order_by(func.count().desc()).limit(1)
        ).scalar()
        liaison = session.execute(select(User).where(
            User.role == Role.liaison, User.department_id == busiest,
            User.active.is_(True))).scalars().first()
        found = {"office": issue_api_token(session, office),
                 "liaison": issue_api_token(session, liaison),
                 "office_login": office.get_id()}
        session.commit()
    session.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=10_000)
    parser.add_argument("--reuse", metavar="URL", help="a database generate.py filled")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--deep", type=int, default=20, help="pages of 100 to walk first")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="teian-agenda-"))
    url = args.reuse or f"sqlite:///{tmp / 'teian.sqlite3'}"
    if args.reuse:
        from intake import create_app

        app = create_app({"instance_path": tmp, "database_url": url, "secret_key": "benchmark"})
    else:
        app = prepared_app(url, tmp)
        generate(app, args.n, quiet=True)
    found = users(app)
    from intake.models import Proposal

    with app.app_context():
        session = app.extensions["teian.session"]()
        proposals = session.execute(select(func.count()).select_from(Proposal)).scalar_one()
        session.close()
    office = {"Authorization": f"Bearer {found['office']}"}
    liaison = {"Authorization": f"Bearer {found['liaison']}"}
    client = app.test_client()
    from intake.models import utcnow
    from intake.security import sessions

    with client.session_transaction() as flask_session:  # signed in, as the login page does
        flask_session["_user_id"] = found["office_login"]
        flask_session["_fresh"] = True
        sessions.start(flask_session, utcnow())

    deep = None
    for _ in range(args.deep):
        body = client.get("/api/v1/agenda?limit=100" + (f"&cursor={deep}" if deep else ""),
                          headers=office).get_json()
        deep = body.get("next_cursor")
        if not deep:
            break
    cases = [
        ("API /api/v1/agenda, office, page 1", "/api/v1/agenda", office),
        (f"API /api/v1/agenda, office, after {args.deep} pages of 100",
         f"/api/v1/agenda?cursor={deep}", office) if deep else None,
        ("API /api/v1/agenda, a liaison, page 1", "/api/v1/agenda", liaison),
        ("page /staff/agenda, office, page 1", "/staff/agenda", {}),
        ("(beside: API /api/v1/queue, the liaison, page 1)", "/api/v1/queue", liaison),
    ]
    print(f"database: {app.extensions['teian.engine'].url.get_backend_name()}, "
          f"{proposals:,} proposals")
    print("| what | p50 ms | p95 ms | status |")
    print("|---|---|---|---|")
    for case in cases:
        if case is None:
            continue
        name, path, headers = case
        p50, p95, status = timed(lambda p=path, h=headers: client.get(p, headers=h),
                                 args.repeat)
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {status} |", flush=True)

    def csv_run() -> tuple[int, float]:
        t = time.perf_counter()
        response = client.get("/api/v1/agenda.csv", headers=office)
        lines = sum(chunk.count(b"\r\n") for chunk in response.response)
        response.close()
        return lines - 1, time.perf_counter() - t

    rows, seconds = csv_run()
    tracemalloc.start()
    csv_run()
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"| CSV /api/v1/agenda.csv, office: {rows:,} rows | {seconds * 1000:.0f} ms in all "
          f"| {rows / seconds:,.0f} rows/s | traced peak {peak / 2**20:.1f} MB |")


if __name__ == "__main__":
    main()
