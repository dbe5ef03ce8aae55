"""A serving process keeps its lifetime objects out of full garbage collections
(intake/heap.py): a full collection walks every tracked object, so what a worker holds for
its lifetime — some 185,000 objects — is frozen when it starts and again once warm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from intake.heap import WARM_REQUESTS

# Run in a child process: freezing is process-wide, and the test process must keep
# collecting the applications the suite makes.
SERVED = textwrap.dedent(f"""
    import gc, json
    from intake.wsgi import app

    started = gc.get_freeze_count()
    client = app.test_client()
    for _ in range({WARM_REQUESTS} - 1):
        assert client.get("/open311/v2/services.json").status_code == 200
    before_warm = gc.get_freeze_count()
    client.get("/open311/v2/services.json").close()  # the response sent: then it freezes
    print(json.dumps({{"started": started, "before_warm": before_warm,
                      "warm": gc.get_freeze_count(), "walked": len(gc.get_objects())}}))
""")


def test_a_served_process_freezes_its_lifetime_objects_at_start_and_once_warm(
        app, city, database_url, tmp_path):
    env = {**os.environ, "TEIAN_DATABASE_URL": database_url,
           "TEIAN_INSTANCE_PATH": str(tmp_path / "served"), "TEIAN_SECRET_KEY": "heap-test"}
    result = subprocess.run([sys.executable, "-c", SERVED], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    # The modules, mappers and machines made at start are frozen at once …
    assert counts["started"] > 50_000
    # … what the first requests cached is frozen with them after the warm-up, and no sooner
    # (frozen objects are still freed when their last reference goes) …
    assert counts["before_warm"] <= counts["started"]
    assert counts["warm"] > counts["before_warm"]
    # … so a full collection walks a small part of what the process holds.
    assert counts["walked"] < counts["warm"] / 10
