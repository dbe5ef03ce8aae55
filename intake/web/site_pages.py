"""The pages about the service itself, which every page's footer links to: how personal
data is handled (``/privacy``, 個人情報の取扱い), accessibility (``/accessibility``) and how
to reach the collaboration office (``/contact``).

Their text is the city's to decide.  Each page is a template under ``pages/``; a city puts
its own in the instance folder's ``pages/`` (``privacy.html`` for every language, or
``privacy.ja.html``, ``privacy.en.html``, ``privacy.ja-easy.html`` per language) and it is
shown instead of the default, which states what this software does
(:func:`init_city_pages`).  The same goes for ``privacy_summary.html``, the key points
shown at the proposal form's consent box.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, render_template
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from .public import _lang, bp

CITY_PAGES = "pages"


def init_city_pages(app: Flask) -> None:
    """Templates named ``pages/…`` are looked for in the instance folder's ``pages/``
    first; no other template can be replaced from there."""
    app.jinja_loader = ChoiceLoader([
        PrefixLoader({CITY_PAGES: FileSystemLoader(Path(app.instance_path) / CITY_PAGES)}),
        app.jinja_loader,
    ])


def city_page(name: str) -> list[str]:
    """The templates that may show page ``name``, the most specific first."""
    return [f"{CITY_PAGES}/{name}.{_lang()}.html", f"{CITY_PAGES}/{name}.html"]


@bp.get("/privacy")
def privacy():
    return render_template(city_page("privacy"))


@bp.get("/accessibility")
def accessibility():
    return render_template(city_page("accessibility"))


@bp.get("/contact")
def contact():
    return render_template(city_page("contact"))


@bp.app_context_processor
def _office() -> dict:
    """Every page's footer (public and staff) says how to reach the office."""
    settings = current_app.config["TEIAN"]
    return {"office": settings.office, "retention_years": settings.retention_years,
            "city_page": city_page}
