"""The dashboard's proposals per department × state are kept as proposals change
(intake/office/counts.py), not counted over every proposal per request: whatever the
real operations do — submit, route, transfer, every transition, a change rolled back —
the kept counts equal a count of the proposals themselves, before and after the worker
folds them."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from intake.errors import ActionError
from intake.models import MonthlyCount, OverdueCount, Proposal, ProposalCount, RulingCount
from intake.office.counts import counts, fold, recount
from intake.office.figures import EVERYTHING, Scope
from tests import ops

from .workflow_support import lead, walk


def counted_afresh(db) -> Counter:
    return Counter({(d, s): n for d, s, n in db.execute(
        select(Proposal.lead_department_id, Proposal.state, func.count())
        .group_by(Proposal.lead_department_id, Proposal.state))})


def kept(db, scope=EVERYTHING) -> Counter:
    return Counter({(d, s): n for d, s, n in counts(db, scope.where_department)})


def test_the_kept_counts_follow_every_operation(city, db):
    made = [city.submit(category=c)[0] for c in ("parks", "parks", "roads", "welfare")]
    city.session.commit()
    walk(db, made[0], "adopted")
    walk(db, made[1], "in_deliberation")
    walk(db, made[2], "in_review")
    ops.transfer_proposal(db, made[2], "parks", lead(made[2]), reason="公園の案件です。")
    db.commit()
    ops.fire_trigger(db, made[3], "withdraw", ops.PROPOSER, {"reason": "取り下げます"})
    db.commit()
    assert kept(db) == counted_afresh(db)

    # A change rolled back moves no count.
    ops.fire_trigger(db, made[2], "request_info", lead(made[2]), {"question": "場所は？"})
    db.flush()
    db.rollback()
    assert kept(db) == counted_afresh(db)

    # A liaison's scope is their department's row only.
    parks = made[0].lead_department_id
    assert set(kept(db, Scope(parks, everything=False))) == {
        key for key in counted_afresh(db) if key[0] == parks}


def test_folding_keeps_the_counts_in_one_row_per_group(city, db):
    for category in ("parks", "roads", "parks"):
        proposal, _ = city.submit(category=category)
        city.session.commit()
        walk(db, proposal, "in_review")
    before = kept(db)
    rows = sum(db.execute(select(func.count()).select_from(table)).scalar()
               for table in (ProposalCount, OverdueCount, MonthlyCount, RulingCount))
    assert fold(db) == rows  # every kept table's rows (tests/test_kept_figures.py)
    assert kept(db) == before == counted_afresh(db)
    groups = db.execute(select(ProposalCount.lead_department_id, ProposalCount.kind,
                               ProposalCount.state, func.count())
                        .group_by(ProposalCount.lead_department_id, ProposalCount.kind,
                                  ProposalCount.state)).all()
    assert all(n == 1 for *_key, n in groups)
    # Proposals written with plain SQL (the benchmarks' loaders) are counted by recount.
    recount(db)
    assert kept(db) == counted_afresh(db)


def test_a_refused_transition_moves_no_count(city, db):
    proposal, _ = city.submit()
    city.session.commit()
    before = kept(db)
    with pytest.raises(ActionError):
        ops.fire_trigger(db, proposal, "adopt", lead(proposal), {"reason": "x"})
    db.rollback()
    assert kept(db) == before == counted_afresh(db)


def test_an_opinion_request_bumps_the_version_and_moves_no_count(city, db):
    """It flags the state as modified without changing it (``flag_modified``)."""
    proposal, _ = city.submit()
    city.session.commit()
    walk(db, proposal, "in_review")
    before = kept(db)
    ops.request_opinion(db, proposal, "roads", lead(proposal), question="道路の観点は？",
                        due_in_days=5)
    db.commit()
    assert kept(db) == before == counted_afresh(db)
