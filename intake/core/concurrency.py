"""Two officers acting on one proposal at once: exactly one wins, the other gets a
:class:`~intake.errors.Conflict` (409) and nothing of theirs remains (SPEC section 3)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from intake.errors import Conflict

_P = ParamSpec("_P")
_R = TypeVar("_R")

# SQLSTATEs PostgreSQL uses when it gives up one of two colliding transactions.
_RETRYABLE_SQLSTATES = ("40001", "40P01")  # serialization failure, deadlock detected


def is_concurrent_change(exc: Exception) -> bool:
    """Whether a database error means "someone else changed it at the same moment"
    rather than a bug: another transaction took the audit chain's next number,
    PostgreSQL cancelled one of two colliding transactions, or SQLite stayed locked by
    another writer past its busy timeout."""
    message = str(getattr(exc, "orig", exc))
    if isinstance(exc, IntegrityError):
        return "event_chain_heads" in message or "events.chain" in message or (
            "uq_events_chain_seq" in message
        )
    sqlstate = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in message


def conflict_on_concurrent_change(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn a lost race into :class:`Conflict` instead of a 500.

    The proposal's version column makes SQLAlchemy's UPDATE match no row when someone
    else changed it since it was read (``StaleDataError``, raised by the operation's own
    flush or an autoflush inside it); the other collisions are in
    :func:`is_concurrent_change`.  The request then rolls back, so nothing of the
    losing action remains.
    """

    @functools.wraps(func)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except StaleDataError as exc:
            raise Conflict(
                "the proposal was changed by someone else; reload it and try again"
            ) from exc
        except (IntegrityError, OperationalError) as exc:
            if not is_concurrent_change(exc):
                raise
            raise Conflict("someone else changed this at the same moment; try again") from exc

    return run
