"""Load N proposals (default 1,000,000) that look exactly like the application's own rows.

Two phases:

1. **Templates, through the real operations.**  The default organisation (``teian init``)
   and the demo officers, then ``--templates`` proposals (default 320: the 32 samples of
   ``teian demo`` ten times over) submitted, routed, moved along their workflow paths,
   discussed in sessions — and, on top of the demo, citizens' comments, supports asked and
   confirmed by their mailed links, and opinions asked of other departments and answered —
   every one of them by the operation a door calls.  Whatever the rules refuse (a comment
   outside deliberation) is simply not there.
2. **Clones, by bulk insert.**  Each further proposal copies a template's rows — proposal,
   private contact, public copy, comments, supports, opinion requests, sessions, events —
   with new ids, new realistic Japanese text (title, problem, proposal; the search indexes
   rebuilt from it as :mod:`intake.search.index` writes them), its times moved to a
   submission date spread over the three years before the templates', and its event chain
   rebuilt: new salts and reason digests, each hash recomputed by
   :func:`intake.audit.event_hash`, the chain head set to the last one.  ``teian audit
   verify`` passes on the result.  Mail is the one thing not cloned: the outbox holds the
   templates' messages only (a clone's would long have been sent).

    python benchmarks/generate.py [N] --sqlite FILE          # a new SQLite file
    python benchmarks/generate.py [N] --pg postgresql+psycopg://postgres@127.0.0.1/db
    # the PostgreSQL database's public schema is REPLACED

Prints how long each phase took.  Other benchmarks call :func:`generate`.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import bulk  # noqa: E402
from intake.audit import event_hash, reason_digest  # noqa: E402
from intake.models import (  # noqa: E402
    ChainHead,
    Comment,
    DeliberationSession,
    Event,
    OpinionRequest,
    Proposal,
    ProposerContact,
    PublishedText,
    Support,
)
from intake.office.counts import recount  # noqa: E402
from intake.search.index import ORIGINAL, PUBLIC, Entry, document  # noqa: E402

PLACES = ["駅前", "商店街", "市民センター", "中央公園", "第二小学校", "図書館", "川沿いの道",
          "団地", "交差点", "バス停", "歩道橋", "児童館", "公民館", "体育館", "駐輪場", "港",
          "市役所", "保育園", "病院", "神社の参道", "農道", "旧街道", "運動場", "海岸"]
THINGS = ["ベンチ", "街灯", "花壇", "屋根", "手すり", "案内板", "防犯カメラ", "ごみ箱",
          "自転車置き場", "横断歩道", "点字ブロック", "トイレ", "遊具", "植木", "水飲み場",
          "ＬＥＤ照明", "掲示板", "スロープ", "日よけ", "ｶｰﾌﾞﾐﾗｰ"]
WHO = ["高齢者", "子どもたち", "通学中の児童", "車いすの方", "子育て世帯", "観光客",
       "近所の住民", "買い物客", "部活動の生徒", "夜勤の人"]
GROUPS = ["町内会", "商店会", "PTA", "NPO法人", "老人クラブ", "地元の企業", "大学のサークル"]
PROBLEMS = [
    "{place}の{thing}が古くなり、{who}が困っています。",
    "{place}では夜になると暗く、{who}が不安を感じています。",
    "{place}には{thing}がなく、{who}が休む場所がありません。",
    "雨の日に{place}で待つ{who}がぬれてしまいます。",
    "{place}の周辺は車が多く、{who}が危ない思いをしています。",
    "{thing}の数が足りず、{place}を利用する{who}から声が上がっています。",
]
PROPOSALS = [
    "{place}に{thing}を設置することを提案します。",
    "{group}と市が協力して{thing}を管理することを提案します。",
    "{thing}の点検を{group}が月に一度行います。",
    "費用の一部は{group}が負担し、市には材料の用意をお願いします。",
    "{who}の意見を聞く会を{place}で開き、場所を決めます。",
]
TITLES = ["{place}に{thing}を置く提案", "{place}の{thing}の改善について",
          "{who}のための{thing}の設置", "{place}の安全を高める提案"]
COMMENTS = ["{place}の{thing}は本当に必要だと思います。賛成です。",
            "{who}として、ぜひ実現してほしいです。",
            "{group}でも手伝えることがあれば協力します。"]
# Event data keys that hold the id of a row cloned with the proposal.
DATA_IDS = {"comment": "comments", "session": "deliberation_sessions",
            "request": "opinion_requests"}
CHILDREN = {"proposer_contacts": ProposerContact, "published_texts": PublishedText,
            "comments": Comment, "supports": Support, "opinion_requests": OpinionRequest,
            "deliberation_sessions": DeliberationSession}
SPREAD_DAYS = 3 * 365


def sentence(rng: random.Random, templates: list[str]) -> str:
    return rng.choice(templates).format(place=rng.choice(PLACES), thing=rng.choice(THINGS),
                                        who=rng.choice(WHO), group=rng.choice(GROUPS))


def texts(rng: random.Random) -> dict[str, str]:
    """A proposal's free text: a title and two sentences each of problem and proposal."""
    return {"title": sentence(rng, TITLES),
            "problem": sentence(rng, PROBLEMS) + sentence(rng, PROBLEMS),
            "proposal": sentence(rng, PROPOSALS) + sentence(rng, PROPOSALS)}


@functools.cache
def suggested_readings(title: str) -> str:
    """The readings a public title has once the worker gave them (the analyser's, as
    ``intake.privacy.pending_readings`` suggests them), so that the easy-Japanese pages
    read them as they would in a city's database; titles repeat, so each is analysed once."""
    from intake.i18n import reading_markup

    return reading_markup.suggest(title)


# --- phase 1: templates through the operations ------------------------------------------


def make_templates(app, session, count: int) -> None:
    from benchmarks.templates import drive

    drive(app, session, count)


# --- phase 2: clones --------------------------------------------------------------------


def _rows(session, table, where) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(select(table).where(where))]


def _load_templates(session, count: int) -> list[dict]:
    """The template proposals (the first ``count``, made by phase 1) with their rows."""
    found = []
    table = Proposal.__table__
    first = select(table.c.id).order_by(table.c.id).limit(count).subquery()
    for proposal in _rows(session, table, table.c.id.in_(select(first.c.id))):
        pid = proposal["id"]
        rows = {name: _rows(session, model.__table__, model.__table__.c.proposal_id == pid)
                for name, model in CHILDREN.items()}
        events = sorted(_rows(session, Event.__table__, Event.__table__.c.proposal_id == pid),
                        key=lambda e: e["seq"])
        found.append({"proposal": proposal, "rows": rows, "events": events})
    return found


def _shift(row: dict, delta: timedelta) -> None:
    for key, value in row.items():
        if isinstance(value, datetime) or isinstance(value, date):
            row[key] = value + delta if isinstance(value, datetime) else value + timedelta(
                days=delta.days)


class Ids:
    """The next id of each table (the clones' rows follow the templates')."""

    def __init__(self, session) -> None:
        self.next = {}
        for name, model in {"proposals": Proposal, "events": Event, **CHILDREN}.items():
            column = getattr(model, "id", None)
            if column is not None:
                self.next[name] = session.execute(
                    select(func.coalesce(func.max(column), 0))).scalar_one() + 1

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def _clone(template: dict, pid: int, submitted: datetime, rng: random.Random, ids: Ids,
           out: dict[str, list]) -> None:
    proposal = dict(template["proposal"])
    delta = submitted - proposal["submitted_at"]
    _shift(proposal, delta)
    fields = texts(rng)
    proposal.update(id=pid, title=fields["title"], problem=fields["problem"],
                    proposal_text=fields["proposal"],
                    tracking_token_hash=f"{rng.getrandbits(256):064x}")
    out["proposals"].append(proposal)
    folded = document(fields)
    out[ORIGINAL].append(Entry(pid, None, folded))
    new_ids: dict[str, dict[int, int]] = {}
    for table, rows in template["rows"].items():
        for row in rows:
            row = dict(row)
            _shift(row, delta)
            row["proposal_id"] = pid
            if "id" in row:
                new = ids.take(table)
                new_ids.setdefault(table, {})[row["id"]] = new
                row["id"] = new
            if table == "published_texts":
                row.update(title=fields["title"], problem=fields["problem"],
                           proposal_text=fields["proposal"],
                           title_easy=suggested_readings(fields["title"]))
                out[PUBLIC].append(Entry(pid, None, folded))
            elif table == "supports":
                row.update(email=f"s{row['id']}@example.jp",
                           token_hash=f"{rng.getrandbits(256):064x}")
            elif table == "comments" and row["status"] == "published":
                body = sentence(rng, COMMENTS)
                row.update(body=body, public_body=body)
            elif table == "proposer_contacts":
                row["email"] = f"p{pid}@example.jp"
            out[table].append(row)
    _clone_chain(template["events"], pid, delta, rng, ids, new_ids, out)


def _clone_chain(events: list[dict], pid: int, delta: timedelta, rng: random.Random,
                 ids: Ids, new_ids: dict[str, dict[int, int]], out: dict[str, list]) -> None:
    prev = "0" * 64
    chain = f"P{pid}"
    for template in events:
        event = dict(template, id=ids.take("events"), chain=chain, proposal_id=pid,
                     at=template["at"] + delta, prev_hash=prev)
        data = dict(event["data"] or {})
        for key, table in DATA_IDS.items():
            if key in data and data[key] in new_ids.get(table, {}):
                data[key] = new_ids[table][data[key]]
        event["data"] = data
        if event["reason_digest"] is not None:
            salt = f"{rng.getrandbits(128):032x}"
            event.update(reason_salt=salt, reason_digest=reason_digest(salt, event["reason"]))
        event["hash"] = prev = event_hash(SimpleNamespace(**event))
        out["events"].append(event)
    if events:
        out["event_chain_heads"].append(
            {"chain": chain, "seq": events[-1]["seq"], "hash": prev, "anchored": False})


TABLES = {"proposals": Proposal.__table__, **{k: m.__table__ for k, m in CHILDREN.items()},
          "events": Event.__table__, "event_chain_heads": ChainHead.__table__}


def _sizes(template: dict) -> dict[str, int]:
    """How many ids of each table a clone of the template takes."""
    sizes = {table: sum("id" in row for row in rows) for table, rows in template["rows"].items()}
    return {**sizes, "proposals": 1, "events": len(template["events"])}


def clone(session, n: int, *, templates: int = 320, batch: int = 10000, seed: int = 13,
          builders: int = 2, report=None) -> None:
    """Add proposals by copying the first ``templates`` until there are ``n``.

    Each batch is planned here (its templates, drawn from ``seed``, and so the first id of
    each table it takes) and built in a builder process (:mod:`benchmarks.bulk`) with a
    random stream of its own, so the rows do not depend on how many builders there are or
    in which order the batches are written."""
    have = session.execute(select(func.count()).select_from(Proposal)).scalar_one()
    templates = _load_templates(session, templates)
    sizes = [_sizes(t) for t in templates]
    ids = Ids(session)
    seed += have  # a run that adds to earlier clones draws other texts
    picker = random.Random(seed)
    plan = []
    for offset in range(have, n, batch):
        picks = [picker.randrange(len(templates)) for _ in range(offset, min(offset + batch, n))]
        plan.append((offset, picks, dict(ids.next)))
        for table in ids.next:
            ids.next[table] += sum(sizes[p][table] for p in picks)
    newest = min(t["proposal"]["submitted_at"] for t in templates)
    start = newest - timedelta(days=SPREAD_DAYS)
    step = timedelta(days=SPREAD_DAYS) / max(1, n - have)
    engine = session.get_bind()
    dialect = engine.dialect
    writers = {name: bulk.Writer(dialect, table) for name, table in TABLES.items()}
    session.commit()
    session.close()

    def build(number: int) -> dict:  # in a builder process
        offset, picks, first = plan[number]
        rng = random.Random(f"{seed}:{offset}")
        ids.next = dict(first)
        out: dict[str, list] = {name: [] for name in (*TABLES, ORIGINAL, PUBLIC)}
        for i, pick in enumerate(picks, start=offset):
            _clone(templates[pick], ids.take("proposals"), start + step * (i - have), rng,
                   ids, out)
        return bulk.encode(dialect.name, writers, out)

    bulk.load(engine, writers, build, len(plan), builders,
              report and (lambda written: report(min(have + written * batch, n))))


def advance_sequences(connection) -> None:
    """PostgreSQL: each id sequence past the ids the clones were given."""
    for name, table in TABLES.items():
        if "id" in table.c:
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {name}))")


def generate(app, n: int, templates: int = 320, quiet: bool = False,
             builders: int = 2) -> dict[str, float]:
    """Fill the app's (migrated, empty) database with ``n`` proposals; seconds per phase."""
    session = app.extensions["teian.session"]()
    timings = {}
    t = time.perf_counter()
    with app.app_context():
        make_templates(app, session, min(templates, n))
    timings["templates"] = time.perf_counter() - t
    t = time.perf_counter()

    def report(done: int) -> None:
        if not quiet:
            rate = (done - templates) / max(1e-9, time.perf_counter() - t)
            print(f"  {done} proposals ({rate:,.0f}/s)", file=sys.stderr, end="\r")

    clone(session, n, templates=templates, builders=builders, report=report)
    recount(session)  # the clones were written with plain SQL: the dashboard's kept counts follow
    if session.get_bind().dialect.name == "postgresql":
        advance_sequences(session.connection())
        session.commit()
        session.close()
        # VACUUM as well as ANALYZE: the visibility map lets the dashboard's counts read
        # their indexes alone (index-only scans), as autovacuum would have it on a live
        # system; right after a bulk load it is empty (1.2 s instead of 0.4 s at 1M).
        engine = session.get_bind()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    timings["clones"] = time.perf_counter() - t
    if not quiet:
        print(file=sys.stderr)
    session.close()
    return timings


def create_pg_database(url: str) -> None:
    """The PostgreSQL database, made if missing."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %(n)s",
                                    {"n": parsed.database}).scalar():
            conn.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    admin.dispose()


def prepared_app(database_url: str, instance: Path):
    """A migrated, empty database (a PostgreSQL one has its public schema replaced)."""
    from intake import create_app, migrate

    if database_url.startswith("postgresql"):
        create_pg_database(database_url)
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"instance_path": instance, "database_url": database_url,
                      "secret_key": "benchmark", "base_url": "http://127.0.0.1",
                      "smtp_url": ""})
    migrate.upgrade(app.extensions["teian.engine"])
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", metavar="FILE", help="a new SQLite file (replaced)")
    where.add_argument("--pg", metavar="URL", help="PostgreSQL (its public schema is replaced)")
    parser.add_argument("--templates", type=int, default=320)
    parser.add_argument("--builders", type=int, default=2,
                        help="processes building rows while this one writes (default 2)")
    parser.add_argument("--verify", action="store_true", help="run teian audit verify after")
    args = parser.parse_args()
    if args.sqlite:
        target = Path(args.sqlite).resolve()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{target}"
    else:
        url = args.pg
    instance = Path(os.environ.get("TEIAN_INSTANCE_PATH") or "/tmp/teian-generate")
    instance.mkdir(parents=True, exist_ok=True)
    app = prepared_app(url, instance)
    timings = generate(app, args.n, args.templates, builders=args.builders)
    print(f"{app.extensions['teian.engine'].url.get_backend_name()}: {args.n:,} proposals in "
          f"{sum(timings.values()):.0f} s (templates through the operations "
          f"{timings['templates']:.0f} s, clones {timings['clones']:.0f} s)")
    if args.verify:
        from intake.audit import verify

        with app.app_context():
            session = app.extensions["teian.session"]()
            t = time.perf_counter()
            problem = verify(session)
            print(f"audit verify: {problem or 'every chain intact'} "
                  f"({time.perf_counter() - t:.0f} s)")


if __name__ == "__main__":
    main()
