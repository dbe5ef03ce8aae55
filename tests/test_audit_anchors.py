"""The audit log's city-wide anchor: a whole proposal's history deleted (its events and
its chain head), or the newest events of several proposals deleted with their heads wound
back, are caught by ``teian audit verify`` once a checkpoint recorded them; so is a
rewritten checkpoint.  Checkpoints record only what changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from intake.anchors import checkpoint, latest
from intake.models import AuditCheckpoint, ChainHead, CheckpointHead, Event
from tests import ops


@pytest.fixture
def history(city):
    """Three proposals with a few events each, checkpointed."""
    liaison = ops.Actor.staff(city.parks_liaison)
    proposals = []
    for title in ("公園に花壇をつくる", "公園で朝市を開く", "公園のベンチを直す"):
        proposal, _ = city.submit(title=title)
        ops.fire_trigger(city.session, proposal, "accept", liaison)
        city.session.commit()
        proposals.append(proposal)
    assert checkpoint(city.session) is not None
    return proposals


def verify(run) -> tuple[int, str]:  # noqa: F811
    result = run("audit", "verify")
    return result.exit_code, result.output


def test_an_untouched_log_verifies_and_prints_the_checkpoint(history, run, db):  # noqa: F811
    code, output = verify(run)
    assert code == 0, output
    assert latest(db).hash in output
    printed = run("audit", "checkpoint")
    assert printed.exit_code == 0 and latest(db).hash in printed.output


def test_deleting_a_whole_proposals_history_is_detected(history, run, db):  # noqa: F811
    victim = f"P{history[1].id}"
    db.execute(text("DELETE FROM events WHERE chain = :c"), {"c": victim})
    db.execute(text("DELETE FROM event_chain_heads WHERE chain = :c"), {"c": victim})
    db.commit()
    code, output = verify(run)
    assert code == 1
    assert f"chain {victim}" in output and "missing" in output


def test_deleting_the_newest_events_of_several_with_heads_wound_back(history, run,  # noqa: F811
                                                                     db):
    for proposal in history[:2]:
        chain = f"P{proposal.id}"
        newest = db.execute(select(func.max(Event.seq)).where(Event.chain == chain)).scalar()
        before = db.execute(select(Event).where(Event.chain == chain,
                                                Event.seq == newest - 1)).scalar_one()
        db.execute(text("DELETE FROM events WHERE chain = :c AND seq = :s"),
                   {"c": chain, "s": newest})
        db.execute(text("UPDATE event_chain_heads SET seq = :s, hash = :h WHERE chain = :c"),
                   {"s": before.seq, "h": before.hash, "c": chain})
    db.commit()
    code, output = verify(run)
    assert code == 1
    assert f"chain P{history[0].id}" in output


def test_a_rewritten_checkpoint_is_detected(history, run, db):  # noqa: F811
    db.execute(text("UPDATE audit_checkpoints SET max_proposal_id = 1"))
    db.commit()
    code, output = verify(run)
    assert code == 1 and "checkpoint 1" in output and "altered" in output


def test_checkpoints_record_only_what_changed(history, city, db):
    assert checkpoint(db) is None  # nothing new: no checkpoint
    ops.fire_trigger(city.session, history[0], "open_deliberation",
                     ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    newer = checkpoint(db)
    assert newer is not None and newer.seq == 2
    recorded = db.execute(select(CheckpointHead.chain)
                          .where(CheckpointHead.checkpoint_id == newer.id)).scalars().all()
    assert recorded == [f"P{history[0].id}"]
    assert db.execute(select(func.count()).select_from(ChainHead)
                      .where(ChainHead.anchored.is_(False))).scalar() == 0
    assert db.execute(select(func.count()).select_from(AuditCheckpoint)).scalar() == 2


def test_a_checkpoint_holds_a_bounded_number_of_heads_and_the_rest_follow(city, db, run):  # noqa: F811,E501
    """After a bulk import or an upgrade every head is new; one checkpoint takes at most
    its limit and the next ones take the rest, so memory stays bounded — and
    ``teian audit checkpoint`` writes as many as it takes to anchor them all."""
    for title in ("一", "二", "三", "四", "五"):
        city.submit(title=f"公園の提案{title}")
    city.session.commit()
    first = checkpoint(db, limit=2)
    recorded = db.execute(select(func.count()).select_from(CheckpointHead)
                          .where(CheckpointHead.checkpoint_id == first.id)).scalar()
    assert recorded == 2
    unanchored = select(func.count()).select_from(ChainHead).where(ChainHead.anchored.is_(False))
    assert db.execute(unanchored).scalar() >= 3

    result = run("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    db.expire_all()
    assert db.execute(unanchored).scalar() == 0
    assert run("audit", "verify").exit_code == 0
