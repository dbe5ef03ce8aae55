"""The instance's generated secret key: made once, the same for every process that starts
on a fresh instance at the same moment (gunicorn's workers; the suite's two workers once
met a FileExistsError here)."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path


def _read_key(instance: str, barrier, results) -> None:
    from intake.config import _secret_key

    os.environ.pop("TEIAN_SECRET_KEY", None)
    barrier.wait()
    try:
        results.put(("ok", _secret_key(Path(instance))))
    except Exception as exc:  # reported to the test, which fails naming it
        results.put(("error", repr(exc)))


def test_processes_starting_together_on_a_fresh_instance_share_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    starting = 8
    barrier, results = context.Barrier(starting), context.Queue()
    processes = [context.Process(target=_read_key, args=(str(tmp_path), barrier, results))
                 for _ in range(starting)]
    for process in processes:
        process.start()
    answers = [results.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [kind for kind, _ in answers] == ["ok"] * starting, answers
    keys = {key for _, key in answers}
    assert len(keys) == 1 and len(keys.pop()) == 64
    # the key file alone is left, readable by its owner only
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
