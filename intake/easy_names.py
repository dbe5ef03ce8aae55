"""The readings of the city's names (departments, themes, districts) on easy-Japanese pages.

The pages put readings on every name.  The analyser suggests them when a name is written
— by the admin pages or API, the seed, the CLI — and they are stored with the row
(``name_readings``, the ruby notation of :mod:`intake.i18n.reading_markup`); the
reference data's cache (:mod:`intake.reference`) hands them to the furigana helper when
it loads the rows.  A web worker serving pages then never loads the analyser's
dictionary for a name (docs/PERFORMANCE.md, "Memory per web worker").  Stored readings
that no longer read the name (changed by a statement outside the ORM) are not used: the
analyser reads the name, as it did before.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from intake.i18n import EASY_LANGUAGE, reading_markup
from intake.i18n.furigana import remember
from intake.models.organisation import Localised

NAME_COLUMNS = ("name_ja", "name_easy")


def suggest_changed(session: Session, _context=None, _instances=None) -> None:
    """``before_flush``: the readings of every new or renamed name."""
    for row in chain(session.new, session.dirty):
        if not isinstance(row, Localised):
            continue
        state = inspect(row)
        renamed = any(state.attrs[name].history.has_changes() for name in NAME_COLUMNS)
        if row.name_readings is None or renamed or state.pending:
            row.name_readings = reading_markup.suggest(row.name(EASY_LANGUAGE))


def remember_names(rows: Iterable[Localised]) -> None:
    """Tell the furigana helper the stored readings of ``rows``' easy-Japanese names."""
    for row in rows:
        name, notation = row.name(EASY_LANGUAGE), row.name_readings
        if notation and reading_markup.plain(notation) == name:
            remember(name, reading_markup.pieces(notation))
