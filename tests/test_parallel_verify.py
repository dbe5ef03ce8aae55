"""``teian audit verify --jobs N`` splits the chains into ranges, one process each
(intake.maintenance.parallel_verify): it finds what the single check finds, and the same
first problem."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from intake import audit
from intake.maintenance.parallel_verify import chain_ranges, verify_log
from intake.models import ChainHead, Event


def submitted(city, n: int) -> list[int]:
    ids = [city.submit()[0].id for _ in range(n)]
    city.session.commit()
    return ids


def check(city, database_url: str) -> audit.ChainProblem | None:
    """Three processes, however small the log."""
    city.session.commit()
    return verify_log(city.session, database_url, jobs=3, parallel_from=0)


def test_the_ranges_cover_every_chain_once(city):
    submitted(city, 7)
    chains = city.session.execute(select(ChainHead.chain)).scalars().all()
    ranges = chain_ranges(city.session, 3)
    assert ranges[0][0] is None and ranges[-1][1] is None
    for chain in chains:
        holding = [(lowest, below) for lowest, below in ranges
                   if (lowest is None or chain >= lowest) and (below is None or chain < below)]
        assert len(holding) == 1, (chain, ranges)
    assert len(ranges) == 3


def test_an_intact_log_passes_in_parallel(city, database_url):
    submitted(city, 6)
    assert check(city, database_url) is None


def test_an_edit_in_any_range_is_found_and_the_first_is_named(city, database_url):
    submitted(city, 6)
    ranges = chain_ranges(city.session, 3)
    first_of = {}
    for lowest, below in ranges:  # the first event of each range's first chain
        query = select(Event).order_by(Event.chain, Event.seq).limit(1)
        if lowest is not None:
            query = query.where(Event.chain >= lowest)
        if below is not None:
            query = query.where(Event.chain < below)
        first_of[(lowest, below)] = city.session.execute(query).scalar_one()
    last = first_of[ranges[-1]]
    city.session.execute(update(Event).where(Event.id == last.id).values(actor_label="x"))
    problem = check(city, database_url)
    assert (problem.event_id, problem.problem) == (last.id,
                                                   "content does not match its hash (edited)")
    middle = first_of[ranges[1]]
    city.session.execute(update(Event).where(Event.id == middle.id).values(actor_label="x"))
    problem = check(city, database_url)
    assert problem.event_id == middle.id  # the first in chain order, as the single check
    assert problem == audit.verify(city.session)


def test_a_chain_that_lost_its_head_row_is_still_read(city, database_url):
    first, *_ = submitted(city, 5)
    city.session.execute(delete(ChainHead).where(ChainHead.chain == audit.chain_of(first)))
    problem = check(city, database_url)
    assert (problem.chain, problem.problem) == (audit.chain_of(first),
                                                "events missing at the end of the chain")


def test_a_chain_that_lost_all_its_events_is_found(city, database_url):
    _, second, *_ = submitted(city, 5)
    city.session.execute(delete(Event).where(Event.chain == audit.chain_of(second)))
    problem = check(city, database_url)
    assert (problem.chain, problem.problem) == (audit.chain_of(second),
                                                "all events of the chain are missing")
