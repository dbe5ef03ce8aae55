"""What the administration pages and API list.  Configuration is small (tens of
departments, hundreds of officers and rules): each list is one query, answered whole."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from intake.models import ApiToken, Category, Department, District, RoutingRule, User


def departments(session: Session) -> list[Department]:
    """Every department, active first, by code."""
    return list(session.execute(
        select(Department).order_by(Department.active.desc(), Department.code)).scalars())


def categories(session: Session) -> list[Category]:
    return list(session.execute(
        select(Category).order_by(Category.active.desc(), Category.sort_order, Category.id)
    ).scalars())


def districts(session: Session) -> list[District]:
    return list(session.execute(
        select(District).order_by(District.sort_order, District.id)).scalars())


def rules(session: Session) -> list[RoutingRule]:
    """The active rules in the order routing tries them within a theme: by theme, then
    highest priority first (the more specific first among equals, as routing does)."""
    return list(session.execute(
        select(RoutingRule)
        .join(RoutingRule.category)
        .where(RoutingRule.active.is_(True))
        .options(joinedload(RoutingRule.category), joinedload(RoutingRule.department),
                 joinedload(RoutingRule.district))
        .order_by(Category.sort_order, Category.id, RoutingRule.priority.desc(),
                  RoutingRule.district_id.is_(None), RoutingRule.keyword.is_(None),
                  RoutingRule.id)
    ).scalars())


def users(session: Session) -> list[User]:
    """Officers by department (the office's people first), primary first."""
    return list(session.execute(
        select(User).outerjoin(User.department)
        .options(joinedload(User.department))
        .order_by(User.active.desc(), Department.code.is_(None).desc(), Department.code,
                  User.is_primary.desc(), User.id)
    ).scalars())


def tokens(session: Session) -> list[ApiToken]:
    """Live tokens first, newest first."""
    return list(session.execute(
        select(ApiToken).options(joinedload(ApiToken.user))
        .order_by(ApiToken.revoked, ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def by_code(session: Session, model, code: str):
    return session.execute(select(model).where(model.code == code)).scalar_one_or_none()
