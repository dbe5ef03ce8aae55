"""Does the open-data export keep its memory flat?  Prints figures; asserts nothing.

Fills a database (SQLite in a temp folder, or ``TEIAN_DATABASE_URL`` — emptied first)
with N proposals by benchmarks/generate.py (rows: the published ones among them), then
runs ``teian export --format … --out FILE`` in a fresh process at 10,000 proposals and again
at 100,000 (by default), and prints for each:
rows per second, the process's peak resident memory (``VmHWM``, an untraced run; not
``ru_maxrss``, which on Linux keeps the high-water mark of the parent it was forked from,
the process that generated the data) and
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
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from intake import create_app, migrate  # noqa: E402
from intake.models import Proposal  # noqa: E402


def fill(app, session, upto: int) -> None:
    """Proposals up to ``upto`` by benchmarks/generate.py (templates through the
    operations the first time, clones after; four in five end up published)."""
    from benchmarks.generate import clone, make_templates

    if not session.execute(select(func.count()).select_from(Proposal)).scalar_one():
        make_templates(app, session, 320)
    clone(session, upto)


def peak_rss_kib() -> int:
    """This process's own peak resident set (``VmHWM``), in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export_in_this_process(fmt: str, out: str) -> None:
    """The child: ``teian export`` once untraced (time, ru_maxrss), once traced."""
    from intake.cli import main

    def run() -> float:
        t = time.perf_counter()
        main(["export", "--format", fmt, "--out", out], standalone_mode=False)
        return time.perf_counter() - t

    seconds = run()
    maxrss_kib = peak_rss_kib()
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
            print(f"{'rows':>8} {'format':>6} {'rows/s':>8} {'peak RSS':>10} "
                  f"{'traced peak':>12} {'file':>9}")
            for size in sorted(args.sizes):
                t = time.perf_counter()
                fill(app, session, size)
                print(f"  (filled to {size} in {time.perf_counter() - t:.1f} s)",
                      file=sys.stderr)
                published = session.execute(select(func.count()).select_from(Proposal).where(
                    Proposal.published_at.is_not(None))).scalar_one()
                for fmt in args.formats.split(","):
                    got = measure(fmt, tmp)
                    print(f"{published:>8} {fmt:>6} {published / got['seconds']:>8.0f} "
                          f"{got['maxrss_kib'] / 1024:>8.1f}MB "
                          f"{got['traced_peak'] / 2**20:>10.1f}MB "
                          f"{got['bytes'] / 2**20:>7.1f}MB", flush=True)


if __name__ == "__main__":
    main()
