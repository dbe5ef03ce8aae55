"""What profile_submit.py and profile_transition.py share: the bare stack's endpoint run
through the same test client beside Teian's, and a profile summed by package.

Served runs (benchmarks/load.py) moved by ±15–30 % between identical runs on a busy host;
the CPU a request costs in one process moves far less, so the ratio of the two CPU costs,
measured minutes apart in one process, is the steadier way to follow the served ratio from
change to change (served, gunicorn's own work per request is added to both).
"""

from __future__ import annotations

import collections
import pstats
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import make_url


def bare_client(like_url: str, workdir: Path, *, submitted: int):
    """A test client of benchmarks/bare_app.py on a database of the same kind as
    ``like_url`` (PostgreSQL: ``<database>_bare``, replaced), with ``submitted``
    proposals a transition can take."""
    from benchmarks.generate import create_pg_database

    if like_url.startswith("postgresql"):
        parsed = make_url(like_url)
        url = parsed.set(database=f"{parsed.database}_bare").render_as_string(
            hide_password=False)
        create_pg_database(url)
    else:
        url = f"sqlite:///{workdir / 'bare.sqlite3'}"
    from benchmarks import bare_app

    bare_app.reset(url, submitted=submitted)
    # Its endpoints use the module's engine, made at import from BARE_DATABASE_URL.
    bare_app.engine = bare_app.make_engine(url)
    bare_app.locking = bare_app.engine.dialect.name == "postgresql"
    return bare_app.app.test_client()


def cpu_ms_each(call: Callable[[int], object], count: int) -> float:
    """The process's CPU time per call of ``call(i)`` for i in range(count), in ms."""
    started = time.process_time()
    for i in range(count):
        call(i)
    return (time.process_time() - started) / count * 1000


def print_by_package(stats: pstats.Stats, count: int, top: int = 20) -> None:
    """Each package's own time (tottime) per request: the library a frame's file is in,
    Teian's modules by their folder, the standard library as one."""
    own: collections.Counter[str] = collections.Counter()
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        own[_package(filename, name)] += tottime
    total = sum(own.values())
    print(f"\nown time by package, per request (profiled; {total / count * 1000:.2f} ms in all)")
    for package, seconds in own.most_common(top):
        print(f"  {seconds / count * 1000:7.3f} ms  {seconds / total:6.1%}  {package}")


def _package(filename: str, name: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    root = str(Path(__file__).resolve().parent.parent) + "/"
    if filename.startswith(root):
        return "teian: " + "/".join(filename[len(root):].split("/")[:2])
    if filename == "~":  # C: "<method 'execute' of 'sqlite3.Cursor' objects>",
        # "<built-in method builtins.getattr>", "<built-in method _hashlib.openssl_sha256>"
        owner = (name.split(" of '")[1] if " of '" in name
                 else name.removeprefix("<built-in method ").rstrip(">"))
        return "C: " + owner.split(".")[0].split("'")[0]
    return "standard library"
