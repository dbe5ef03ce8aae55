"""The city's reference data, cached per process: themes, districts, departments, routing
rules and staff (who is a liaison where, who is in the office).

Every submission needs all of it (the form's choices, the theme and district by code,
the routing rule, the liaison who takes the proposal, the addresses its notice goes to),
and it changes a few times a year.  Each process keeps one :class:`Snapshot` per database
and, on every use, reads one row to check it: ``reference_stamp.stamp``, which the session
hooks below (:func:`install`) give a new random value in the same transaction as any
change to those tables, made by the admin pages and API, the CLI, the seeds or a test
factory — through the ORM, by unit of work or by an ``update()``/``delete()`` statement.
So a change committed by one process is seen by the next request of every other one,
and a change rolled back leaves a stamp no snapshot is ever filed under again.

Rows are handed out attached to the caller's session (``merge(load=False)``: no query),
so code that reads ``proposal.lead_department`` works as before.  A change made straight
in the database, outside the application, needs ``teian``'s processes restarted (or any
change through the application, which renews the stamp).
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import chain

from sqlalchemy import Engine, event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from intake.easy_names import remember_names, suggest_changed
from intake.models import (
    Category,
    Department,
    District,
    ReferenceStamp,
    Role,
    RoutingRule,
    User,
)

WATCHED = (Category, District, Department, RoutingRule, User)
# Columns of a user that no cached answer depends on: signing in, passwords, two-factor.
USER_PRIVATE = frozenset({"password_hash", "session_version", "failed_logins", "locked_until",
                          "password_changed_at", "totp_secret", "totp_last_step"})
_DAYS_KEPT = 4  # the days whose present liaisons a snapshot remembers (today, a test's days)


@dataclass(frozen=True)
class Rule:
    """An active routing rule of an active department, as routing reads it."""

    id: int
    district_id: int | None
    keyword: str | None  # case-folded
    department_id: int


@dataclass
class Snapshot:
    stamp: str | None
    categories: list[Category]  # the office's order
    districts: list[District]
    departments: dict[int, Department]
    rules: dict[int, list[Rule]]  # by theme id, in the order routing tries them
    liaisons: dict[int, list[User]]  # active liaisons by department id, by id
    office: list[User]  # active office accounts, by id
    present: dict[date, dict[int, list[User]]] = field(default_factory=dict)

    def present_liaisons(self, department_id: int, day: date) -> list[User]:
        """The department's active liaisons not absent on ``day``, by id."""
        by_department = self.present.get(day)
        if by_department is None:
            if len(self.present) >= _DAYS_KEPT:
                self.present.clear()
            by_department = self.present[day] = {
                department: [u for u in users if not u.absent_on(day)]
                for department, users in self.liaisons.items()
            }
        return by_department.get(department_id, [])


_snapshots: weakref.WeakKeyDictionary[Engine, Snapshot] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_MEMO = "teian.reference"  # session.info: (the transaction, its snapshot)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


_STAMP = select(ReferenceStamp.stamp).where(ReferenceStamp.id == 1)  # built once: asked per request


def current_stamp(session: Session) -> str | None:
    """The stamp as this transaction sees it.  Read on the session's connection (the ORM's
    statement handling cost more than the read, asked once per request); pending changes
    are flushed first, as the ORM's autoflush would, so a change to the reference data
    not yet written has renewed the stamp before it is read."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(_STAMP).scalar_one_or_none()


def snapshot(session: Session) -> Snapshot:
    """This process's copy of the reference data, checked against the stamp once per
    transaction (one query; again after a change to the reference data in it)."""
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        if not _changes_reference(session):
            return memo[1]
        session.flush()  # renews the stamp, and forgets the memo
    found = _checked(session)
    session.info[_MEMO] = (session.get_transaction(), found)
    return found


def _checked(session: Session) -> Snapshot:
    stamp = current_stamp(session)
    engine = _engine(session)
    found = _snapshots.get(engine)
    if found is not None and found.stamp == stamp and stamp is not None:
        return found
    loaded = _load(session, stamp)
    with _lock:
        _snapshots[engine] = loaded
    return loaded


def _load(session: Session, stamp: str | None) -> Snapshot:
    """Read every table in the caller's transaction (it may hold changes not committed
    yet) through a session of its own, whose rows are left detached when it closes."""
    with Session(bind=session.connection(), autoflush=False) as side:
        categories = list(side.execute(
            select(Category).order_by(Category.sort_order, Category.id)).scalars())
        districts = list(side.execute(
            select(District).order_by(District.sort_order, District.id)).scalars())
        departments = {d.id: d for d in side.execute(select(Department)).scalars()}
        users = list(side.execute(
            select(User).where(User.active.is_(True)).order_by(User.id)).scalars())
        rules = list(side.execute(
            select(RoutingRule).where(RoutingRule.active.is_(True))).scalars())
    by_category: dict[int, list[RoutingRule]] = {}
    for rule in rules:
        if departments[rule.department_id].active:
            by_category.setdefault(rule.category_id, []).append(rule)
    liaisons: dict[int, list[User]] = {}
    for user in users:
        if user.role == Role.liaison and user.department_id is not None:
            liaisons.setdefault(user.department_id, []).append(user)
    remember_names(chain(categories, districts, departments.values()))
    return Snapshot(
        stamp=stamp, categories=categories, districts=districts, departments=departments,
        rules={category: [Rule(r.id, r.district_id, r.keyword.casefold() if r.keyword else None,
                               r.department_id) for r in sorted(found, key=_rule_order)]
               for category, found in by_category.items()},
        liaisons=liaisons, office=[u for u in users if u.role == Role.office],
    )


def _rule_order(rule: RoutingRule) -> tuple[int, int, int]:
    """Highest priority first; among equals the more specific (district 2, keyword 1)."""
    specificity = (2 if rule.district_id is not None else 0) + (1 if rule.keyword else 0)
    return (-rule.priority, -specificity, rule.id)


_KEPT = "teian.reference.attached"  # session.info: the attached rows, by identity key


def attach(session: Session, row):
    """The cached row as an object of ``session`` (no query; the session's own copy when
    it already holds that row).

    The session keeps a strong reference to it: the identity map holds objects weakly, so
    a merged row nothing else referred to could be collected by the garbage collector
    at any moment, and ``proposal.lead_department`` would then be loaded again by a query
    — sometimes, as the collector's timing fell.  At most one entry per reference row."""
    if row is None:
        return None
    key = inspect(row).key
    existing = session.identity_map.get(key)
    if existing is None:
        existing = session.merge(row, load=False)
    session.info.setdefault(_KEPT, {})[key] = existing
    return existing


def attach_all(session: Session, rows: Iterable) -> list:
    return [attach(session, row) for row in rows]


def categories(session: Session, *, active_only: bool) -> list[Category]:
    """Themes in the office's order (detached rows: for their codes and names)."""
    return [c for c in snapshot(session).categories if c.active or not active_only]


def districts(session: Session, *, valid_on: date | None) -> list[District]:
    """Districts in the office's order; with ``valid_on`` those that exist that day."""
    return [d for d in snapshot(session).districts if valid_on is None or d.valid_on(valid_on)]


def category(session: Session, code: str) -> Category | None:
    """The theme with ``code``, attached to the session, or None."""
    return attach(session, next((c for c in snapshot(session).categories if c.code == code),
                                None))


def district(session: Session, code: str) -> District | None:
    return attach(session, next((d for d in snapshot(session).districts if d.code == code),
                                None))


# --- keeping the stamp -----------------------------------------------------------------


def _changes_reference(session: Session) -> bool:
    for row in chain(session.new, session.deleted):
        if isinstance(row, WATCHED):
            return True
    for row in session.dirty:
        if not isinstance(row, WATCHED):
            continue
        state = inspect(row)
        names = state.mapper.column_attrs.keys()
        if isinstance(row, User):
            names = [name for name in names if name not in USER_PRIVATE]
        if any(state.attrs[name].history.has_changes() for name in names):
            return True
    return False


def renew_stamp(session: Session) -> None:
    """A new stamp in the session's transaction (the row is made again if it is gone)."""
    session.info.pop(_MEMO, None)
    connection = session.connection()
    stamp = secrets.token_hex(16)
    if connection.execute(update(ReferenceStamp).values(stamp=stamp)).rowcount == 0:
        connection.execute(insert(ReferenceStamp).values(id=1, stamp=stamp))


def _before_flush(session: Session, _context, _instances) -> None:
    if _changes_reference(session):
        renew_stamp(session)


def _do_orm_execute(state: ORMExecuteState) -> None:
    """``session.execute(update(User)…)`` and the like skip the unit of work."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, WATCHED):
        renew_stamp(state.session)


def install(factory: sessionmaker) -> None:
    """Keep the stamp on every session the factory makes."""
    event.listen(factory, "before_flush", suggest_changed)  # before the stamp's check
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "do_orm_execute", _do_orm_execute)
