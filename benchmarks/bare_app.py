"""The bare-stack anchors of benchmarks/load.py: minimal Flask + SQLAlchemy Core endpoints
that do what Teian's endpoints must do and nothing else, so that every Teian figure can be
printed as a share of what this stack can do on this machine at the same moment.

- ``POST /insert``: validate a JSON body like a submission's (types and lengths) and
  insert one row;
- ``POST /submit``: the same validation, then exactly the writes a submission needs, in
  one transaction: the proposal, its private contact, two hash-chained events (SHA-256
  over the predecessor and sorted-key JSON, as intake/audit.py hashes) and their chain
  head, one outbox row;
- ``POST /proposals/<id>/transition``: a transition's writes: the proposal read (locked
  on PostgreSQL), its version checked, its state and version updated, the chain head read
  (locked), one event appended, the head updated, one outbox row;
- ``GET /proposals/<id>``: a small JSON read of one row.

    BARE_DATABASE_URL=sqlite:////tmp/bare.sqlite3 gunicorn -w 2 benchmarks.bare_app:app
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime

from flask import Flask, abort, jsonify, request
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    select,
    update,
)

metadata = MetaData()
items = Table("items", metadata, Column("id", Integer, primary_key=True),
              Column("title", String(200)), Column("body", Text),
              Column("email", String(254)), Column("created_at", DateTime(timezone=True)))
proposals = Table(
    "proposals", metadata, Column("id", Integer, primary_key=True),
    Column("title", String(200)), Column("category", String(40)), Column("problem", Text),
    Column("proposal_text", Text), Column("district", String(40)),
    Column("language", String(10)), Column("state", String(40)), Column("version", Integer),
    Column("tracking_token_hash", String(64), unique=True),
    Column("submitted_at", DateTime(timezone=True)))
contacts = Table("contacts", metadata, Column("proposal_id", Integer, primary_key=True),
                 Column("name", String(100)), Column("email", String(254)),
                 Column("phone", String(40)), Column("consent_at", DateTime(timezone=True)))
events = Table(
    "events", metadata, Column("id", Integer, primary_key=True), Column("chain", String(40)),
    Column("seq", Integer), Column("proposal_id", Integer), Column("at", String(40)),
    Column("actor", String(60)), Column("action", String(40)), Column("to_state", String(40)),
    Column("data", JSON), Column("prev_hash", String(64)), Column("hash", String(64)),
    UniqueConstraint("chain", "seq"))
heads = Table("heads", metadata, Column("chain", String(40), primary_key=True),
              Column("seq", Integer), Column("hash", String(64)))
outbox = Table("outbox", metadata, Column("id", Integer, primary_key=True),
               Column("proposal_id", Integer), Column("recipient", String(254)),
               Column("subject", String(300)), Column("body", Text),
               Column("status", String(20)), Column("created_at", DateTime(timezone=True)))

LIMITS = {"title": 200, "problem": 2000, "proposal": 2000, "category": 40,
          "proposer_name": 100, "email": 254, "phone": 40, "language": 10}


def make_engine(url: str):
    if url.startswith("sqlite"):  # as intake/db.py sets SQLite up
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


engine = make_engine(os.environ.get("BARE_DATABASE_URL", "sqlite:////tmp/bare.sqlite3"))
locking = engine.dialect.name == "postgresql"
app = Flask(__name__)


def validated() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400)
    for name, limit in LIMITS.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            abort(422)
    if body.get("consent") is not True:
        abort(422)
    return body


def chained(chain: str, seq: int, prev: str, **fields) -> dict:
    row = {"chain": chain, "seq": seq, "prev_hash": prev, **fields}
    content = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    row["hash"] = hashlib.sha256(prev.encode() + content.encode()).hexdigest()
    return row


@app.post("/insert")
def one_insert():
    body = validated()
    with engine.begin() as conn:
        new = conn.execute(insert(items).values(
            title=body["title"], body=body["problem"], email=body["email"],
            created_at=datetime.now(UTC)).returning(items.c.id)).scalar_one()
    return jsonify({"id": new}), 201


@app.post("/submit")
def submit():
    body = validated()
    now = datetime.now(UTC)
    with engine.begin() as conn:
        new = conn.execute(insert(proposals).values(
            title=body["title"], category=body["category"], problem=body["problem"],
            proposal_text=body["proposal"], district=body.get("district"),
            language=body["language"], state="submitted", version=1,
            tracking_token_hash=hashlib.sha256(os.urandom(32)).hexdigest(), submitted_at=now,
        ).returning(proposals.c.id)).scalar_one()
        conn.execute(insert(contacts).values(proposal_id=new, name=body["proposer_name"],
                                             email=body["email"], phone=body["phone"],
                                             consent_at=now))
        chain, at = f"P{new}", now.isoformat()
        first = chained(chain, 1, "0" * 64, proposal_id=new, at=at, actor="proposer",
                        action="submit", to_state="submitted", data={"channel": "api"})
        second = chained(chain, 2, first["hash"], proposal_id=new, at=at, actor="system",
                         action="route", to_state=None, data={"department": "d"})
        conn.execute(insert(events), [first, second])
        conn.execute(insert(heads).values(chain=chain, seq=2, hash=second["hash"]))
        conn.execute(insert(outbox).values(proposal_id=new, recipient=body["email"],
                                           subject="受付", body=body["title"],
                                           status="pending", created_at=now))
    return jsonify({"id": new, "state": "submitted"}), 201


@app.post("/proposals/<int:proposal_id>/transition")
def transition(proposal_id: int):
    body = request.get_json(silent=True) or {}
    now = datetime.now(UTC)
    with engine.begin() as conn:
        query = select(proposals.c.state, proposals.c.version).where(
            proposals.c.id == proposal_id)
        row = conn.execute(query.with_for_update() if locking else query).first()
        if row is None:
            abort(404)
        if row.version != body.get("version") or row.state != "submitted":
            abort(409)
        conn.execute(update(proposals).where(proposals.c.id == proposal_id)
                     .values(state="in_review", version=row.version + 1))
        chain = f"P{proposal_id}"
        head_query = select(heads.c.seq, heads.c.hash).where(heads.c.chain == chain)
        head = conn.execute(head_query.with_for_update() if locking else head_query).one()
        new = chained(chain, head.seq + 1, head.hash, proposal_id=proposal_id,
                      at=now.isoformat(), actor="user:1", action="transition",
                      to_state="in_review", data={})
        conn.execute(insert(events).values(**new))
        conn.execute(update(heads).where(heads.c.chain == chain)
                     .values(seq=new["seq"], hash=new["hash"]))
        conn.execute(insert(outbox).values(proposal_id=proposal_id, recipient="p@example.jp",
                                           subject="受理", body="", status="pending",
                                           created_at=now))
    return jsonify({"id": proposal_id, "state": "in_review", "version": row.version + 1})


@app.get("/proposals/<int:proposal_id>")
def read(proposal_id: int):
    with engine.connect() as conn:
        row = conn.execute(select(proposals.c.id, proposals.c.title, proposals.c.state,
                                  proposals.c.submitted_at)
                           .where(proposals.c.id == proposal_id)).first()
    if row is None:
        abort(404)
    return jsonify({"id": row.id, "title": row.title, "state": row.state,
                    "submitted_at": row.submitted_at.isoformat()})


def reset(url: str, submitted: int = 100_000) -> None:
    """An empty schema but for the row the small read reads and ``submitted`` proposals
    (with their chain heads) for the transitions (called by benchmarks/load.py)."""
    target = make_engine(url)
    metadata.drop_all(target)
    metadata.create_all(target)
    with target.begin() as conn:  # the row the small read reads
        conn.execute(insert(proposals).values(
            title="駅前にベンチを置く提案", state="adopted", version=3,
            tracking_token_hash="0" * 64, submitted_at=datetime.now(UTC)))
        if submitted:
            _submitted(conn, submitted)
        if target.dialect.name == "postgresql":  # new rows' ids after those given here
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('proposals', 'id'), "
                                 "(SELECT max(id) FROM proposals))")
    target.dispose()


def _submitted(conn, count: int) -> None:
    """``count`` proposals a transition can take, each with its chain head."""
    now = datetime.now(UTC)
    conn.execute(insert(proposals), [
        {"id": i, "title": "バス停に屋根を", "category": "doro", "problem": "雨",
         "proposal_text": "屋根", "district": None, "language": "ja", "state": "submitted",
         "version": 1, "tracking_token_hash": f"{i:064x}", "submitted_at": now}
        for i in range(2, count + 2)])
    conn.execute(insert(heads), [{"chain": f"P{i}", "seq": 2, "hash": f"{i:064x}"}
                                 for i in range(2, count + 2)])
