"""``teian audit verify`` on several cores: the chains split into key ranges, one process
each.

Hashing is what the check spends its time on (one SHA-256 over each event's canonical
JSON, in Python), and every chain can be checked on its own, so a log of millions of
events is cut into as many ranges of chains as there are processes: the boundaries are
chain names read off the chain heads' primary key at equal steps, each process streams its
range off the events' unique index in (chain, seq) order exactly as the single check does
(:func:`intake.audit.verify` with ``lowest``/``below``), and the ranges together cover
every name, so a chain that lost its head row is still read.  The parent checks, once,
for chains whose events are all gone.  The answer is the first problem in chain order,
as the single check gives it.

Each range is read in its own snapshot: every chain is whole within one, which is all a
chain's check needs.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from intake.audit import ChainProblem, headless_chain, verify
from intake.models import ChainHead

# Below this many chains one process is quicker than starting others.
PARALLEL_FROM = 50_000


def chain_ranges(session: Session, parts: int) -> list[tuple[str | None, str | None]]:
    """``parts`` ranges (lowest, below) of chain names with about as many chains each;
    the first starts at nothing and the last runs to the end."""
    count = session.execute(select(func.count()).select_from(ChainHead)).scalar_one()
    bounds = []
    for part in range(1, parts):
        name = session.execute(select(ChainHead.chain).order_by(ChainHead.chain)
                               .offset(count * part // parts).limit(1)).scalar()
        if name is not None and (not bounds or name > bounds[-1]):
            bounds.append(name)
    edges = [None, *bounds, None]
    return list(zip(edges[:-1], edges[1:], strict=False))


def _verify_range(database_url: str, lowest: str | None,
                  below: str | None) -> ChainProblem | None:
    """One process's part: its own engine and session (nothing crosses a fork)."""
    from intake.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return verify(session, lowest, below)
    finally:
        engine.dispose()


def verify_log(session: Session, database_url: str, jobs: int,
               parallel_from: int = PARALLEL_FROM) -> ChainProblem | None:
    """The first problem in any chain, checked by ``jobs`` processes when the log has
    ``parallel_from`` chains or more."""
    chains = session.execute(select(func.count()).select_from(ChainHead)).scalar_one()
    if jobs <= 1 or chains < parallel_from:
        return verify(session)
    ranges = chain_ranges(session, jobs)
    session.rollback()  # no transaction held open while the workers read
    with ProcessPoolExecutor(len(ranges),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_verify_range, database_url, lowest, below)
                   for lowest, below in ranges]
        for future in futures:  # in chain order: the first problem is the first found
            if (problem := future.result()) is not None:
                return problem
    return headless_chain(session)
