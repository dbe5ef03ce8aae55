"""The reviewers' page on easy Japanese: the writing rules, the glossary of readings
that overrides the analyser, and a box to try the readings on any text."""

from __future__ import annotations

from flask import render_template, request

from intake.i18n.furigana import furigana, glossary

from .common import bp

MAX_TRY_CHARS = 500


@bp.get("/help/easy-japanese")
def easy_japanese_help():
    sample = request.args.get("text", "")[:MAX_TRY_CHARS]
    return render_template(
        "staff/easy_japanese_help.html",
        entries=[(entry, furigana(entry.word)) for entry in glossary()],
        sample=sample,
        sample_ruby=furigana(sample) if sample.strip() else None,
        max_chars=MAX_TRY_CHARS,
    )
