"""Readings for published titles, suggested by the background worker.

A published title gets readings (``title_easy``, the ruby notation of
:mod:`intake.i18n.reading_markup`) for the easy-Japanese pages.  Suggesting them needs
the morphological analyser, whose dictionary costs a process about 100 MB of resident
memory (docs/PERFORMANCE.md, "Memory per web worker").  So publishing a title, or asking
for the suggestion again, only leaves ``title_easy`` empty: *pending*.  Each pass of
``teian worker`` (and of the embedded server's delivery thread) gives the pending titles
their readings here, and a web worker never loads the dictionary.  Until then the pages
show the title without readings — never wrong ones.

The rows are found off the partial index ``ix_published_texts_pending_readings`` (only
pending rows are in it, so a pass with nothing to do costs one probe of an empty index),
and each is written only if it is still pending with the same title: a correction a
person saved meanwhile, or a newer title, is never overwritten, and several workers may
run at once.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from intake.i18n import reading_markup
from intake.models import PublishedText

BATCH = 200
# One statement a batch (executemany): the row, if still pending with the title read.
_WRITE = (update(PublishedText.__table__)
          .where(PublishedText.proposal_id == bindparam("b_id"),
                 PublishedText.title_easy.is_(None), PublishedText.title == bindparam("b_title"))
          .values(title_easy=bindparam("b_notation")))


def give_pending_readings(session: Session, *, batch: int = BATCH,
                          limit: int | None = None) -> int:
    """Suggest readings for pending titles, ``batch`` rows a statement, until none is left
    (or ``limit`` were written); returns how many were written.  Flushes nothing of the
    session's own and does not commit: the caller commits (one pass, one transaction)."""
    written, after = 0, 0
    while limit is None or written < limit:
        size = batch if limit is None else min(batch, limit - written)
        rows = session.execute(
            select(PublishedText.proposal_id, PublishedText.title)
            .where(PublishedText.title_easy.is_(None), PublishedText.proposal_id > after)
            .order_by(PublishedText.proposal_id).limit(size)
        ).all()
        if not rows:
            break
        connection = session.connection()
        result = connection.execute(_WRITE, [
            {"b_id": proposal_id, "b_title": title, "b_notation": reading_markup.suggest(title)}
            for proposal_id, title in rows])
        written += (result.rowcount if connection.dialect.supports_sane_multi_rowcount
                    else len(rows))
        after = rows[-1].proposal_id
        _expire_loaded(session, [row.proposal_id for row in rows])
    return written


def _expire_loaded(session: Session, proposal_ids: list[int]) -> None:
    """Rows of these the session already holds read ``title_easy`` afresh next time
    (the statement above went past the ORM)."""
    for proposal_id in proposal_ids:
        loaded = session.identity_map.get(identity_key(PublishedText, proposal_id))
        if loaded is not None:
            session.expire(loaded, ["title_easy"])
