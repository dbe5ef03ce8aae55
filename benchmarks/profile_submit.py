"""Where a submission's time goes, in-process: prints the CPU time (the process's own, which
other jobs on the machine change little) and SQL statements per
``POST /api/v1/proposals`` and a cProfile of them (the profile in docs/PERFORMANCE.md).

Runs the application through Flask's test client on a fresh database with the default
organisation (``teian init``), so the figures are the application's own cost without a
server or a network.

    python benchmarks/profile_submit.py [COUNT] [--pg URL] [--top 25]

Beside it, the bare stack's ``POST /submit`` (benchmarks/bare_app.py: the same validation
and exactly a submission's writes) through the same test client, and the ratio of the two.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import prepared_app  # noqa: E402
from benchmarks.in_process import bare_client, cpu_ms_each, print_by_package  # noqa: E402
from benchmarks.load import submission  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=500)
    parser.add_argument("--pg", help="a PostgreSQL URL (its public schema is replaced)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    from intake.models import Category, District
    from intake.seed import load_defaults

    os.environ["TEIAN_SUBMIT_LIMIT"] = "1000000 per minute"
    with tempfile.TemporaryDirectory() as tmp:
        url = args.pg or f"sqlite:///{tmp}/teian.sqlite3"
        app = prepared_app(url, Path(tmp))
        with app.app_context():
            session = app.extensions["teian.session"]()
            load_defaults(session)
            session.commit()
            body = submission(session.query(Category.code).first()[0],
                              session.query(District.code).first()[0])
            session.close()
        client = app.test_client()
        for _ in range(20):  # warm: imports, caches, the first connection
            assert client.post("/api/v1/proposals", json=body).status_code == 201
        plain = cpu_ms_each(lambda _: client.post("/api/v1/proposals", json=body), args.count)
        bare = bare_client(url, Path(tmp), submitted=0)
        for _ in range(20):
            assert bare.post("/submit", json=body).status_code == 201
        bare_ms = cpu_ms_each(lambda _: bare.post("/submit", json=body), args.count)
        statements = []
        engine = app.extensions["teian.engine"]
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        profile = cProfile.Profile()
        t = time.process_time()
        profile.enable()
        for _ in range(args.count):
            client.post("/api/v1/proposals", json=body)
        profile.disable()
        elapsed = time.process_time() - t
    print(f"{engine.url.get_backend_name()}: {args.count} submissions through the test client: "
          f"{plain:.2f} ms of CPU each ({elapsed / args.count * 1000:.2f} ms profiled), "
          f"{len(statements) / args.count:.0f} SQL statements each")
    print(f"bare same writes (POST /submit), same client: {bare_ms:.2f} ms of CPU each; "
          f"ratio {bare_ms / plain:.2f}")
    print_profile(profile, args.top)
    print_by_package(pstats.Stats(profile), args.count)


def print_profile(profile: cProfile.Profile, top: int) -> None:
    """The ``top`` entries by cumulative time, without pstats' header (also used by
    benchmarks/profile_transition.py)."""
    out = io.StringIO()
    pstats.Stats(profile, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


if __name__ == "__main__":
    main()
