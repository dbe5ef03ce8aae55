"""The workflows explained: each built-in definition as its Mermaid text and as tables."""

from __future__ import annotations

from flask import render_template

from intake.i18n import label_or

from .common import bp, builtin_workflows, lang


@bp.get("/help/workflow")
def workflow_help():
    language = lang()
    return render_template(
        "staff/workflow_help.html",
        workflows=builtin_workflows(),
        role_label=lambda role: label_or(f"staff.role.{role}", language, role),
        guard_label=lambda guard: label_or(f"staff.guard.{guard}", language, guard),
    )
