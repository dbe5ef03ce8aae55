"""Where a transition's time goes, in-process: prints the CPU time and SQL statements per
``POST /api/v1/proposals/{id}/transitions`` (``accept``, the office's API token) and a
cProfile of them — the transition row of docs/PERFORMANCE.md.

Loads the demo's organisation and officers (benchmarks/generate.py's templates), submits the
proposals through the API, then accepts each once.

    python benchmarks/profile_transition.py [COUNT] [--pg URL] [--top 25]

Beside it, the bare stack's transition (benchmarks/bare_app.py: a transition's writes)
through the same test client, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate, prepared_app  # noqa: E402
from benchmarks.in_process import bare_client, cpu_ms_each, print_by_package  # noqa: E402
from benchmarks.load import setup_teian, submission  # noqa: E402
from benchmarks.profile_submit import print_profile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=300)
    parser.add_argument("--pg", help="a PostgreSQL URL (its public schema is replaced)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    os.environ["TEIAN_SUBMIT_LIMIT"] = "1000000 per minute"
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{tmp}/teian.sqlite3"
        app = prepared_app(url, Path(tmp))
        generate(app, 320, quiet=True)  # the demo's organisation, officers and proposals
        found = setup_teian(app)
        body = submission(found["category"], found["district"])
        client = app.test_client()
        ids = [client.post("/api/v1/proposals", json=body).get_json()["id"]
               for _ in range(2 * args.count + 20)]
        office = {"Authorization": f"Bearer {found['office']}"}

        def accept(proposal_id: int) -> None:
            response = client.post(f"/api/v1/proposals/{proposal_id}/transitions",
                                   json={"trigger": "accept", "version": 1}, headers=office)
            assert response.status_code == 200, response.get_json()

        for proposal_id in ids[:20]:  # warm
            accept(proposal_id)
        plain = cpu_ms_each(lambda i: accept(ids[20 + i]), args.count)
        bare = bare_client(url, Path(tmp), submitted=args.count + 20)

        def bare_transition(proposal_id: int) -> None:
            response = bare.post(f"/proposals/{proposal_id}/transition", json={"version": 1})
            assert response.status_code == 200, response.get_data(as_text=True)

        for proposal_id in range(2, 22):  # warm; the bare stack's proposals are 2, 3, …
            bare_transition(proposal_id)
        bare_ms = cpu_ms_each(lambda i: bare_transition(22 + i), args.count)
        statements = []
        engine = app.extensions["teian.engine"]
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        profile = cProfile.Profile()
        profile.enable()
        for proposal_id in ids[20 + args.count:]:
            accept(proposal_id)
        profile.disable()
    print(f"{engine.url.get_backend_name()}: {args.count} transitions (accept) through the test "
          f"client: {plain:.2f} ms of CPU each, "
          f"{len(statements) / args.count:.0f} SQL statements each")
    print(f"bare transition's writes, same client: {bare_ms:.2f} ms of CPU each; "
          f"ratio {bare_ms / plain:.2f}")
    print_profile(profile, args.top)
    print_by_package(pstats.Stats(profile), args.count)


if __name__ == "__main__":
    main()
