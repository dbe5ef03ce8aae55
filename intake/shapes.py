"""The smallest JSON shapes every serializer shares: times in Japan's offset, dates,
a coded row as ``{"code", "name"}``."""

from __future__ import annotations

from datetime import date, datetime

from .models import JST, Category, Department, District

Json = dict[str, object]


def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in Japan's time, with its offset: ``2026-04-01T09:30:00+09:00``."""
    return value.astimezone(JST).isoformat(timespec="seconds") if value else None


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def named(row: Category | Department | District | None, lang: str) -> Json | None:
    """A category, department or district: ``{"code", "name"}`` in ``lang``."""
    return None if row is None else {"code": row.code, "name": row.name(lang)}
