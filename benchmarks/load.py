"""HTTP load on 127.0.0.1: Teian under gunicorn beside the bare stack, in the same run.

Starts Teian (``benchmarks/wsgi.py``) and the bare Flask + SQLAlchemy Core app
(``benchmarks/bare_app.py``) under ``gunicorn -w 2`` (sync workers) on two ports, on
SQLite or PostgreSQL, then drives each endpoint with wrk (``apt-get install wrk``) for a
fixed time and prints, for each, the median over the repeats of req/s, p50 and p99, and
the ratio to its bare-stack anchor measured in the same repeat, and the server's CPU time per
request (the gunicorn workers', and on PostgreSQL the database backends' too), which other
jobs on the machine change much less than the rates:

- intake, API and form → the bare same-writes endpoint (and the one-insert one beside it);
- a transition through the API → the bare transition's writes;
- every read (public list, proposal page, liaison's queue, dashboard, agenda, search,
  export) → the bare small JSON read.

The form is fetched once (its CSRF cookie and token, the signed fill timer) and posted
as is, with the minimum fill time set to zero (``benchmarks/wsgi.py``).  The transitions
accept (``accept``) proposals still submitted (generated, or sent by the intake runs), each
once, with their versions; the bare ones, rows its reset made and its own submissions.
After each endpoint the harness waits until the requests wrk left queued are answered, so a
slow endpoint's backlog is not counted against the next one.  Teian's database is filled by
benchmarks/generate.py first (``--proposals``), or ``--reuse`` one it filled before.

    python benchmarks/load.py                       # SQLite, 10 s per endpoint, 3 repeats
    python benchmarks/load.py --db pg --duration 5 --repeat 1
    python benchmarks/load.py --db pg --pg-prefix teian_mine    # beside another PG run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import bare_app  # noqa: E402
from benchmarks.generate import create_pg_database, generate, prepared_app  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/"
LUA = """
local requests = {%s}
local step = 0
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) step = offset end
function request()
  local r = requests[(step %% #requests) + 1]
  step = step + %d
  return wrk.format(r[1], r[2], r[4], r[3])
end
"""


@dataclass
class Case:
    name: str
    server: str  # "teian" or "bare"
    requests: list[tuple[str, str, str, dict]]  # method, path, body, headers
    anchor: str | None = None
    runs: list[dict] = field(default_factory=list)


def lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def lua(case: Case, threads: int) -> str:
    rows = []
    for method, path, body, headers in case.requests:
        heads = ", ".join(f"[ {lua_string(k)} ] = {lua_string(v)}" for k, v in headers.items())
        rows.append(f"{{{lua_string(method)}, {lua_string(path)}, "
                    f"{lua_string(body) if body else 'nil'}, {{{heads}}}}}")
    return LUA % (",\n".join(rows), threads)


def seconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk(case: Case, url: str, args, workdir: Path) -> dict:
    script = workdir / f"{re.sub(r'[^a-z0-9]+', '-', case.name.lower())}.lua"
    script.write_text(lua(case, args.threads))
    out = subprocess.run(
        ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
         "--timeout", "10s", "--latency", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    if "99" not in latency:
        raise SystemExit(f"wrk said, for {case.name}:\n{out}")
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    total = re.search(r"(\d+) requests in", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": seconds(latency["50"]) * 1000, "p99": seconds(latency["99"]) * 1000,
            "failed": int(failed.group(1)) if failed else 0,
            "total": int(total.group(1)) if total else 0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, env: dict, workers: int, log: Path,
          preload: bool = False) -> tuple[subprocess.Popen, str]:
    """Start gunicorn; return it and its address once it answers."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--no-control-socket",
         *(["--preload"] if preload else []), target],
        cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/", timeout=30)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{target} did not start; see {log}")


def worker_memory(master: int) -> list[dict[str, int]]:
    """Each gunicorn worker of ``master`` (Linux ``/proc``), in MB: its peak RSS
    (``VmHWM``), RSS now and what that is made of — private memory (``RssAnon``) and
    mapped files (``RssFile``: shared libraries and SudachiPy's 100 MB dictionary, which
    every worker maps from the one file and the kernel keeps once).  A worker gunicorn
    replaced (timed out) starts its peak again: the worker log says so."""
    found = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        status = dict(line.split(":", 1) for line in
                      Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
        found.append({"pid": int(pid), **{key: int(status[key].split()[0]) // 1024 for key in
                                          ("VmHWM", "VmRSS", "RssAnon", "RssFile")}})
    return found


def cpu_seconds(master: int, database: str | None) -> float:
    """CPU time (user + system) used so far by the gunicorn workers of ``master`` and, on
    PostgreSQL, by the server processes serving ``database``: a request's cost, which other
    jobs on the machine change little, beside its rate, which they do."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if database:
        pids += [p.name for p in Path("/proc").iterdir()
                 if p.name.isdigit() and _serves(p, database)]
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def _serves(proc: Path, database: str) -> bool:
    """A PostgreSQL backend connected to ``database`` (its title: ``postgres: user db …``)."""
    try:
        title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return False
    return title.startswith("postgres: ") and f" {database} " in title


def pg_database(url: str) -> str | None:
    """The database a PostgreSQL URL names; None for SQLite (its work is the worker's)."""
    return url.rsplit("/", 1)[1] if url.startswith("postgresql") else None


def submission(category: str, district: str) -> dict:
    return {"kind": "proposal", "title": "駅前のバス停にベンチと屋根を置く提案",
            "category": category, "district": district,
            "problem": "駅前のバス停にはベンチも屋根もなく、高齢者が雨の中で長く待っています。",
            "proposal": "利用者の多いバス停から順に、町内会と市が協力してベンチと屋根を設けます。",
            "expected_effect": "", "role_split": "", "language": "ja",
            "proposer_type": "individual", "proposer_name": "山田 花子", "organization": "",
            "email": "hanako@example.jp", "phone": "090-1234-5678", "publish_name": False,
            "consent": True}


def form_request(url: str, body: dict) -> tuple[str, str, str, dict]:
    """POST /propose as a browser sends it after fetching the form once."""
    client = requests.Session()
    page = client.get(url + "/propose").text
    hidden = dict(re.findall(r'<input[^>]*name="(csrf_token|started)"[^>]*value="([^"]*)"',
                             page))
    fields = {k: ("y" if v is True else v) for k, v in body.items() if v is not False}
    encoded = requests.models.RequestEncodingMixin._encode_params({**fields, **hidden})
    cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies)
    return ("POST", "/propose", encoded,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})


def setup_teian(app) -> dict:
    """Tokens for the office and a liaison; the codes and ids the requests use."""
    from intake.auth import issue_api_token
    from intake.models import Category, District, Proposal, Role, User

    session = app.extensions["teian.session"]()
    with app.app_context():
        office = session.execute(select(User).where(User.role == Role.office)).scalars().first()
        busiest = session.execute(
            select(Proposal.assignee_id).where(Proposal.assignee_id.is_not(None))
            .group_by(Proposal.assignee_id).order_by(func.count().desc()).limit(1)).scalar()
        liaison = session.get(User, busiest)
        found = {
            "office": issue_api_token(session, office),
            "liaison": issue_api_token(session, liaison),
            "category": session.execute(select(Category.code).where(
                Category.active.is_(True)).order_by(Category.sort_order)).scalars().first(),
            "district": session.execute(select(District.code)).scalars().first(),
            "published": session.execute(select(func.max(Proposal.id)).where(
                Proposal.published_at.is_not(None))).scalar_one(),
        }
        session.commit()
    session.close()
    return found


def submitted(url: str) -> list[tuple[int, int]]:
    """The proposals a transition can accept (each once), those still submitted, with
    their versions (an opinion asked bumps it)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.exec_driver_sql(
            "SELECT id, version FROM proposals WHERE state = 'submitted' ORDER BY id")]
    engine.dispose()
    return found


def drain(url: str, path: str, workers: int) -> None:
    """Wait until the requests wrk left queued (a slow endpoint's) are answered, so they
    do not slow the next endpoint down: probes queue behind them."""
    with ThreadPoolExecutor(2 * workers) as pool:
        list(pool.map(lambda _: requests.get(url + path, timeout=600), range(2 * workers)))


POOL = 20_000  # LuaJIT takes at most 65,536 constants in a script (two per request here)


def transitions(pool: list[tuple[int, int]], path: str, headers: dict, body: dict) -> list:
    pool = pool[:POOL]
    return [("POST", path.format(id=i), json.dumps({**body, "version": version}), headers)
            for i, version in pool] or [("POST", path.format(id=0), "{}", headers)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--proposals", type=int, default=5000,
                        help="generate this many first (benchmarks/generate.py)")
    parser.add_argument("--reuse", metavar="URL", help="a database generate.py filled")
    parser.add_argument("--pg-prefix", default="teian_perf",
                        help="PostgreSQL: databases PREFIX_load and PREFIX_bare (replaced), so "
                             "that two runs with different prefixes can run side by side")
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="comma-separated words: run the cases whose name has one")
    parser.add_argument("--preload", action="store_true",
                        help="gunicorn --preload: the application imported once, before the "
                             "workers fork (code pages shared; each worker's RSS still counts "
                             "them)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="teian-load-"))
    if args.db == "pg":
        teian_url = args.reuse or f"{PG}{args.pg_prefix}_load"
        bare_url = f"{PG}{args.pg_prefix}_bare"
        create_pg_database(teian_url)
        create_pg_database(bare_url)
    else:
        teian_url = args.reuse or f"sqlite:///{workdir / 'teian.sqlite3'}"
        bare_url = f"sqlite:///{workdir / 'bare.sqlite3'}"
    instance = workdir / "instance"
    instance.mkdir()
    if args.reuse:
        from intake import create_app

        app = create_app({"instance_path": instance, "database_url": teian_url,
                          "secret_key": "benchmark"})
    else:
        app = prepared_app(teian_url, instance)
        t = time.perf_counter()
        generate(app, args.proposals, quiet=True)
        print(f"generated {args.proposals:,} proposals in {time.perf_counter() - t:.0f} s")
    found = setup_teian(app)
    app.extensions["teian.engine"].dispose()
    bare_app.reset(bare_url)
    env = {"TEIAN_DATABASE_URL": teian_url, "TEIAN_INSTANCE_PATH": str(instance),
           "TEIAN_SECRET_KEY": "benchmark", "TEIAN_SUBMIT_LIMIT": "1000000 per minute",
           "TEIAN_COMMENT_LIMIT": "1000000 per minute", "BARE_DATABASE_URL": bare_url}
    servers = []
    try:
        servers.append(serve("benchmarks.wsgi:app", env, args.workers, workdir / "teian.log",
                             args.preload))
        servers.append(serve("benchmarks.bare_app:app", env, args.workers, workdir / "bare.log"))
        run(args, found, servers[0][1], servers[1][1], teian_url, bare_url, workdir,
            {"teian": (servers[0][0].pid, pg_database(teian_url)),
             "bare": (servers[1][0].pid, pg_database(bare_url))})
        for name, (process, _url) in zip(("Teian", "bare"), servers, strict=True):
            print(f"{name} workers: " + "; ".join(
                f"pid {w['pid']} peak RSS {w['VmHWM']} MB (now {w['VmRSS']} MB: private "
                f"{w['RssAnon']} MB, mapped files {w['RssFile']} MB)"
                for w in worker_memory(process.pid)))
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(timeout=30)
    shutil.rmtree(workdir, ignore_errors=True)


def run(args, found: dict, teian: str, bare: str, teian_url: str, bare_url: str,
        workdir: Path, masters: dict[str, tuple[int, str | None]]) -> None:
    body = submission(found["category"], found["district"])
    as_json = {"Content-Type": "application/json"}
    office = {**as_json, "Authorization": f"Bearer {found['office']}"}
    liaison = {"Authorization": f"Bearer {found['liaison']}"}
    cases = [
        Case("bare: one insert", "bare", [("POST", "/insert", json.dumps(body), as_json)]),
        Case("bare: submission's writes", "bare",
             [("POST", "/submit", json.dumps(body), as_json)]),
        Case("bare: transition's writes", "bare", []),
        Case("bare: small JSON read", "bare", [("GET", "/proposals/1", "", {})]),
        Case("intake POST /api/v1/proposals", "teian",
             [("POST", "/api/v1/proposals", json.dumps(body), as_json)],
             "bare: submission's writes"),
        Case("intake POST /propose (form)", "teian", [form_request(teian, body)],
             "bare: submission's writes"),
        Case("transition (API, accept)", "teian", [], "bare: transition's writes"),
        *[Case(name, "teian", [("GET", path, "", headers)], "bare: small JSON read")
          for name, path, headers in (
              ("public list /proposals", "/proposals", {}),
              ("proposal page", f"/proposals/{found['published']}", {}),
              ("proposal page, easy Japanese",
               f"/proposals/{found['published']}?lang=ja-easy", {}),
              ("liaison's queue (API)", "/api/v1/queue", liaison),
              ("dashboard /api/v1/stats", "/api/v1/stats", office),
              ("agenda /api/v1/agenda", "/api/v1/agenda", office),
              ("search /proposals?q=花壇", "/proposals?q=%E8%8A%B1%E5%A3%87", {}),
              ("export /proposals.csv?state=adopted", "/proposals.csv?state=adopted", {}))],
    ]
    if args.only:
        words = args.only.split(",")
        keep = {c.name for c in cases if any(w in c.name for w in words)}
        keep |= {c.anchor for c in cases if c.name in keep and c.anchor}
        cases = [c for c in cases if c.name in keep]
    by_name = {c.name: c for c in cases}
    warm = argparse.Namespace(**{**vars(args), "duration": 1})
    for case in cases:  # every worker past its first requests (imports, caches)
        if case.requests:
            url = teian if case.server == "teian" else bare
            wrk(case, url, warm, workdir)
            drain(url, "/static/teian.css" if case.server == "teian" else "/proposals/1",
                  args.workers)
    for repeat in range(args.repeat):
        for case in cases:
            if case.name == "bare: transition's writes":
                case.requests = transitions(submitted(bare_url),
                                            "/proposals/{id}/transition", as_json, {})
            elif case.name.startswith("transition"):
                case.requests = transitions(
                    submitted(teian_url), "/api/v1/proposals/{id}/transitions", office,
                    {"trigger": "accept"})
            if not case.requests:
                continue
            url = teian if case.server == "teian" else bare
            master, database = masters[case.server]
            cpu = cpu_seconds(master, database)
            result = wrk(case, url, args, workdir)
            result["cpu_ms"] = ((cpu_seconds(master, database) - cpu) * 1000
                                / max(result["total"], 1))
            drain(url, "/static/teian.css" if case.server == "teian" else "/proposals/1",
                  args.workers)
            result["pool"] = len(case.requests)
            case.runs.append(result)
            print(f"  [{repeat + 1}/{args.repeat}] {case.name}: {result['rps']:.0f} req/s, "
                  f"p99 {result['p99']:.1f} ms, failed {result['failed']}, "
                  f"server CPU {result['cpu_ms']:.2f} ms/request", file=sys.stderr)
    report(cases, by_name, args)


def report(cases: list[Case], by_name: dict[str, Case], args) -> None:
    def median(case: Case, key: str) -> float:
        return statistics.median(r[key] for r in case.runs)

    print(f"\n{args.db}, gunicorn -w {args.workers} (sync), wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s, median of {args.repeat}")
    print(f"| {'endpoint':40} | req/s | p50 ms | p99 ms | failed | server CPU ms/req | "
          "anchor req/s | ratio | ratio to one insert |")
    print("|---|---|---|---|---|---|---|---|---|")
    insert = by_name.get("bare: one insert")
    for case in cases:
        if not case.runs:
            continue
        rps = median(case, "rps")
        row = (f"| {case.name:40} | {rps:,.0f} | {median(case, 'p50'):.1f} | "
               f"{median(case, 'p99'):.1f} | {sum(r['failed'] for r in case.runs)} | "
               f"{median(case, 'cpu_ms'):.2f} | ")
        anchor = by_name.get(case.anchor) if case.anchor else None
        if anchor is not None and anchor.runs:
            base = median(anchor, "rps")
            row += f"{base:,.0f} | {rps / base:.2f} | "
        else:
            row += " | | "
        if case.name.startswith("intake") and insert is not None and insert.runs:
            row += f"{rps / median(insert, 'rps'):.2f} |"
        else:
            row += " |"
        print(row)


if __name__ == "__main__":
    main()
