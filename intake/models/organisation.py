"""The city's organisation: departments, themes, districts, routing rules,
staff users and their API tokens.  All of it is data the office edits."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    liaison = "liaison"
    office = "office"
    admin = "admin"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Enums stored as their values, enforced by a CHECK constraint."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Localised:
    """Mixin for rows named in Japanese, English and easy Japanese."""

    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    name_easy: Mapped[str] = mapped_column(String(200), default="")
    # The easy-Japanese name (name_easy, else name_ja) with readings in the ruby notation
    # of intake.i18n.reading_markup, suggested by the analyser when the name is written
    # (intake.easy_names), so that the easy-Japanese pages need no analyser to show it.
    name_readings: Mapped[str | None] = mapped_column(Text, nullable=True)

    def name(self, lang: str = "ja") -> str:
        if lang == "en" and self.name_en:
            return self.name_en
        if lang == "ja-easy" and self.name_easy:
            return self.name_easy
        return self.name_ja


class Department(Localised, Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The collaboration office (協働推進室) is a department too; it owns triage.
    is_office: Mapped[bool] = mapped_column(Boolean, default=False)

    users: Mapped[list[User]] = relationship(back_populates="department")


class Category(Localised, Base):
    """A theme (テーマ) the citizen picks; never a department."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class District(Localised, Base):
    """An elementary-school district (小学校区).  Districts are data with
    validity dates because schools merge; nothing counts them in code."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class RoutingRule(Base):
    """(category, optional district, optional keyword) → lead department.
    The highest priority matching rule wins; ties go to the more specific."""

    __tablename__ = "routing_rules"
    __table_args__ = (
        Index("ix_routing_rules_category_active", "category_id", "active"),
        # Switching a department off counts the active rules that route to it.
        Index("ix_routing_rules_department_active", "department_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    keyword: Mapped[str | None] = mapped_column(String(100))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()
    category: Mapped[Category] = relationship()
    district: Mapped[District | None] = relationship()


class User(Base):
    """A member of staff.  Citizens never have accounts."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role != 'liaison' OR department_id IS NOT NULL", name="liaison_has_department"
        ),
        CheckConstraint(
            "absent_to IS NULL OR (absent_from IS NOT NULL AND absent_from <= absent_to)",
            name="absence_is_a_range",
        ),
        Index("ix_users_department_primary", "department_id", "is_primary"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # A department has one primary liaison and any number of deputies; a
    # deputy takes new proposals while the primary is absent: ``absent`` is
    # "away now, until further notice"; ``absent_from``–``absent_to`` (days in
    # Japan, both included; no end: open-ended) is a planned absence such as a
    # holiday, so the primary takes new items again the day after it ends.
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    absent: Mapped[bool] = mapped_column(Boolean, default=False)
    absent_from: Mapped[date | None] = mapped_column(Date)
    absent_to: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Part of the id in every session cookie: raising it (sign-out, a new password) makes
    # every cookie issued before, copies included, stop working (intake.security.sessions).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Wrong passwords in a row, and the lock-out they lead to (intake.security.lockout).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (intake.security.totp): the shared secret once confirmed, and the
    # last 30-second step whose code was used, so a code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    department: Mapped[Department | None] = relationship(back_populates="users")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """``<id>:<session version>``: see ``session_version``."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_office(self) -> bool:
        return self.role in (Role.office, Role.admin)

    def absent_on(self, day: date) -> bool:
        """Away on ``day`` (a day in Japan): marked absent, or within the planned range."""
        return self.absent or (
            self.absent_from is not None and self.absent_from <= day
            and (self.absent_to is None or day <= self.absent_to)
        )

    @classmethod
    def present_on(cls, day: date) -> ColumnElement[bool]:
        """:meth:`absent_on` negated, as SQL (for the queries that pick liaisons)."""
        return and_(
            cls.absent.is_(False),
            or_(cls.absent_from.is_(None), cls.absent_from > day,
                and_(cls.absent_to.is_not(None), cls.absent_to < day)),
        )


class ApiToken(Base):
    """A bearer token for the JSON API and Open311; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the token is for ("Open311 gateway"), chosen when it is created.
    label: Mapped[str] = mapped_column(String(100), default="")
    # When it last authenticated, to the minute (see intake.auth.user_for_token).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ReferenceStamp(Base):
    """One row whose ``stamp`` changes, in the same transaction, with every change to
    the reference data above (themes, districts, departments, routing rules, staff):
    the processes that cache that data (:mod:`intake.reference`) compare it on each use.
    Written by the session hooks of :mod:`intake.reference`, never by hand."""

    __tablename__ = "reference_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))
