"""The grown setup on one machine: two Teian instances (gunicorn, on two ports) sharing one
PostgreSQL and one Redis (the rate limits), driven at the same time, against one instance
with the same number of workers.  Prints req/s and p99 per endpoint for both setups.

    python benchmarks/two_nodes.py --pg postgresql+psycopg://postgres@127.0.0.1/teian_perf_2n
        [--redis redis://127.0.0.1:6379/7] [--proposals 5000 | --reuse] [--duration 10]

The two nodes run one worker each, the single node two, so both use the machine's two
cores; what the figures show is the cost of sharing (the database, the limiter's counts
in Redis, the reference-data stamp), not more hardware.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate, prepared_app  # noqa: E402
from benchmarks.load import Case, serve, setup_teian, submission, wrk  # noqa: E402


def drive(cases: list[Case], urls: list[str], args, workdir: Path) -> dict[str, tuple]:
    """Each case against every url at once; summed req/s, worst p99."""
    found = {}
    for case in cases:
        results: list[dict] = [{}] * len(urls)

        def one(index: int, url: str, case: Case = case, results: list = results) -> None:
            results[index] = wrk(case, url, args, workdir / str(index))

        threads = [threading.Thread(target=one, args=(i, u)) for i, u in enumerate(urls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        found[case.name] = (sum(r["rps"] for r in results), max(r["p99"] for r in results),
                            sum(r["failed"] for r in results))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", required=True, help="PostgreSQL URL (its schema is replaced)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--proposals", type=int, default=5000)
    parser.add_argument("--reuse", action="store_true", help="the database is filled already")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16, help="in all, split over nodes")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="teian-2n-"))
    instance = workdir / "instance"
    instance.mkdir()
    if args.reuse:
        from intake import create_app

        app = create_app({"instance_path": instance, "database_url": args.pg,
                          "secret_key": "benchmark"})
    else:
        app = prepared_app(args.pg, instance)
        generate(app, args.proposals, quiet=True)
    found = setup_teian(app)
    app.extensions["teian.engine"].dispose()
    body = json.dumps(submission(found["category"], found["district"]))
    cases = [
        Case("intake POST /api/v1/proposals", "teian",
             [("POST", "/api/v1/proposals", body, {"Content-Type": "application/json"})]),
        Case("public list /proposals", "teian", [("GET", "/proposals", "", {})]),
        Case("proposal page", "teian", [("GET", f"/proposals/{found['published']}", "", {})]),
    ]
    env = {"TEIAN_DATABASE_URL": args.pg, "TEIAN_INSTANCE_PATH": str(instance),
           "TEIAN_SECRET_KEY": "benchmark", "TEIAN_SUBMIT_LIMIT": "1000000 per minute",
           "TEIAN_RATELIMIT_STORAGE": args.redis}
    report = {}
    for label, workers, count in (("one node, -w 2", 2, 1), ("two nodes, -w 1 each", 1, 2)):
        servers = []
        try:
            for index in range(count):
                (workdir / str(index)).mkdir(exist_ok=True)
                servers.append(serve("benchmarks.wsgi:app", env, workers,
                                     workdir / f"node{index}.log"))
            share = argparse.Namespace(threads=1, connections=args.connections // count,
                                       duration=1)
            drive(cases, [url for _p, url in servers], share, workdir)  # warm
            share.duration = args.duration
            report[label] = drive(cases, [url for _p, url in servers], share, workdir)
        finally:
            for process, _url in servers:
                process.terminate()
                process.wait(timeout=30)
    print(f"\nPostgreSQL + Redis limiter, wrk {args.connections} connections in all, "
          f"{args.duration} s")
    print("| endpoint | " + " | ".join(f"{label}: req/s, p99 ms" for label in report) + " |")
    print("|---|" + "---|" * len(report))
    for case in cases:
        cells = [f"{report[label][case.name][0]:,.0f}, {report[label][case.name][1]:.0f}"
                 + (f" ({report[label][case.name][2]} failed)"
                    if report[label][case.name][2] else "") for label in report]
        print(f"| {case.name} | " + " | ".join(cells) + " |")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
