"""Dates and times as people read them, in Japan time, for every page (public and staff):
``2026年12月4日（金）`` and ``2026年12月4日（金） 10:00`` (``Fri 4 December 2026, 10:00``
in English).  The words (weekdays, months, the order) are the catalogue's ``public.date*``
keys; machine formats (ISO dates in CSV, forms and JSON) are not this module's business."""

from __future__ import annotations

from datetime import date, datetime

from intake.i18n import translate
from intake.models import JST


def people_date(value: date | datetime | None, lang: str) -> str:
    """A date as people read it; a datetime is first turned into its day in Japan."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(JST).date()
    return translate(
        "public.date",
        lang,
        year=value.year,
        month=value.month,
        day=value.day,
        month_name=translate("public.months", lang).split(",")[value.month - 1],
        weekday=translate("public.weekdays", lang).split(",")[value.weekday()],
    )


def people_datetime(value: datetime | None, lang: str) -> str:
    """A moment as its date and time in Japan, whatever the server's zone."""
    if value is None:
        return ""
    local = value.astimezone(JST)
    return translate("public.datetime", lang, date=people_date(local, lang),
                     time=local.strftime("%H:%M"))
