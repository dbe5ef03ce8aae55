"""The JSON shape of an answer template (SPEC section 7), and the flat field names the
form uses for its nested ``title`` and ``body``."""

from __future__ import annotations

from intake.models import AnswerTemplate
from intake.shapes import Json

# JSON language key → the form's (and the model's) column suffix.
SUFFIXES = {"ja": "ja", "en": "en", "ja-easy": "easy"}
NESTED = ("title", "body")


def template(row: AnswerTemplate) -> Json:
    return {
        "code": row.code,
        "trigger": row.trigger,
        "title": {"ja": row.title_ja, "en": row.title_en, "ja-easy": row.title_easy},
        "body": {"ja": row.body_ja, "en": row.body_en, "ja-easy": row.body_easy},
        "active": row.active,
        "sort_order": row.sort_order,
    }
