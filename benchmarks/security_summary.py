"""Issue 11's figures for SECURITY.md, measured: runs the tests that attack Teian and
prints what they did — routes × actors checked, hostile payloads and fuzz examples
sent, faults injected, acknowledged submissions lost and e-mails sent twice.

Nothing here is a constant: the figures are what the tests recorded during this run
(``SUMMARY`` of tests/test_access_matrix.py and tests/test_api_fuzz.py, ``EXAMPLES``
of tests/test_hostile_input.py, ``FIGURES`` of tests/test_kill.py, whose ``kill -9``
scenarios are tests/fault_support.py).  Exit status 1 if any of those tests failed.

    python benchmarks/security_summary.py               # SQLite
    python benchmarks/security_summary.py --pg postgresql+psycopg://postgres@127.0.0.1/db
    # (or TEIAN_TEST_DATABASE_URL): that database is emptied, as by the test suite.

About two minutes on SQLite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = ("test_access_matrix.py", "test_hostile_input.py", "test_api_fuzz.py",
         "test_kill.py", "test_faults.py")


class Outcomes:
    """A pytest plugin keeping each test's outcome (a failed setup or teardown counts)."""

    def __init__(self) -> None:
        self.by_test: dict[str, str] = {}

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.outcome != "passed":
            if self.by_test.get(report.nodeid) != "failed":
                self.by_test[report.nodeid] = report.outcome

    def each(self, file: str) -> list[tuple[str, str]]:
        """(the test's name in words, its outcome) for the tests of one file."""
        return [(test.split("::")[-1].removeprefix("test_").replace("_", " "), outcome)
                for test, outcome in self.by_test.items() if f"/{file}::" in test]

    def of(self, file: str) -> str:
        """"passed", or what went otherwise, for the tests of one file."""
        counts = Counter(o for test, o in self.by_test.items() if f"/{file}::" in test)
        if not counts:
            return "NOT RUN"
        if set(counts) == {"passed"}:
            return "passed"
        said = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        return said.upper() if "failed" in counts else said


def run_tests(outcomes: Outcomes) -> int:
    os.chdir(ROOT)
    return pytest.main(["-q", "-p", "no:cacheprovider", "--no-header",
                        *(f"tests/{file}" for file in FILES)], plugins=[outcomes])


def figures(outcomes: Outcomes, database: str) -> list[str]:
    matrix = sys.modules["tests.test_access_matrix"]
    hostile = sys.modules["tests.test_hostile_input"]
    fuzz = sys.modules["tests.test_api_fuzz"]
    kill = sys.modules["tests.test_kill"]
    access = matrix.SUMMARY
    doors = hostile.EXAMPLES
    server, worker = kill.FIGURES.get("server"), kill.FIGURES.get("worker")
    lines = [
        f"access control: {access.get('routes', '?')} routes x {access.get('actors', '?')} "
        f"actors ({', '.join(matrix.ACTORS)}), {access.get('checks', '?')} requests checked"
        f" — {outcomes.of('test_access_matrix.py')}",
        f"hostile payloads: {sum(doors.values())} hypothesis examples "
        f"({hostile.SETTINGS.max_examples} per door: {', '.join(doors)}) — "
        f"{outcomes.of('test_hostile_input.py')}",
        f"schema fuzzing: {fuzz.SUMMARY.get('calls', '?')} generated requests over "
        f"{fuzz.SUMMARY.get('operations', '?')} /api/v1 operations "
        f"({fuzz.EXAMPLES} examples each, positive and negative) — "
        f"{outcomes.of('test_api_fuzz.py')}",
    ]
    kills = (server.kills if server else 0) + (worker.kills if worker else 0)
    others = "; ".join(f"{name}: {outcome}" for name, outcome in outcomes.each("test_faults.py"))
    lines.append(
        f"faults injected: {kills} x kill -9 on {database} (the server x"
        f"{server.kills if server else 0} mid-burst, workers x{worker.kills if worker else 0}"
        f" mid-batch) — {outcomes.of('test_kill.py')}; {others}")
    if server:
        lines.append(
            f"acknowledged submissions lost: {len(server.lost)} of {server.acknowledged} "
            f"answered 201 ({server.unanswered} requests unanswered when the server died, "
            f"{server.unanswered_present} of them stored); half-written proposals: "
            f"{len(server.half_written)}; teian audit verify: "
            f"{'intact' if server.audit_verify.returncode == 0 else 'BROKEN'}")
    if worker:
        lines.append(
            f"messages lost: {len(worker.missing)} of {worker.queued}; duplicates sent: "
            f"{sum(worker.duplicates.values())} (bounded by {worker.bound} = "
            f"{worker.kills} workers killed x 1 message in flight each; "
            f"{'each with the same Message-ID' if worker.same_message_id else 'CHANGED'})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("TEIAN_TEST_DATABASE_URL", ""),
                        help="a PostgreSQL URL (the database is emptied)")
    args = parser.parse_args()
    if args.pg:
        os.environ["TEIAN_TEST_DATABASE_URL"] = args.pg
    else:
        os.environ.pop("TEIAN_TEST_DATABASE_URL", None)
    database = "PostgreSQL" if args.pg else "SQLite"
    sys.path.insert(0, str(ROOT))
    outcomes = Outcomes()
    status = run_tests(outcomes)
    missing = [f for f in FILES if f"tests.{f.removesuffix('.py')}" not in sys.modules]
    if missing:
        sys.exit(f"not collected: {', '.join(missing)}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date().isoformat()
    print(f"\nTeian security summary — {database}, {today}, commit {commit}")
    for line in figures(outcomes, database):
        print(f"- {line}")
    sys.exit(0 if status == 0 else 1)


if __name__ == "__main__":
    main()
