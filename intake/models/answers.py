"""Answer templates: the office's ready-made reasons, one per (trigger, situation), in the
three languages a proposer may read.  An officer picks one in a transition's form and edits
it before sending; the text sent, not the template, is what the ruling records."""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AnswerTemplate(Base):
    """``trigger`` is the workflow trigger it serves (``reject``, ``adopt`` …); ``code`` names
    it in URLs, the API and the audit log.  A template once used is deactivated, never
    deleted: the audit events that name it keep meaning something."""

    __tablename__ = "answer_templates"
    __table_args__ = (Index("ix_answer_templates_trigger_active", "trigger", "active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    trigger: Mapped[str] = mapped_column(String(40))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    title_easy: Mapped[str] = mapped_column(String(200), default="")
    body_ja: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_easy: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def title(self, lang: str) -> str:
        return {"en": self.title_en, "ja-easy": self.title_easy}.get(lang) or self.title_ja

    def body(self, lang: str) -> str:
        """The body in ``lang``, falling back to Japanese when that one is not written."""
        return {"en": self.body_en, "ja-easy": self.body_easy}.get(lang) or self.body_ja
