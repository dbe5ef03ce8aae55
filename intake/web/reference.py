"""The API reference for people: ``/developers/api`` renders ``/api/v1/openapi.json``
with Redoc, served from the package (``static/vendor/redoc``), never from a CDN — a
city's network may not reach one, and a page should not load code from elsewhere."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("reference", __name__)


# Redoc draws its own logo from cdn.redoc.ly and has no option to stop it: the page's
# policy keeps every request on this server (the logo then simply is not shown).
# Redoc styles with inline <style> and runs its search in a blob: worker.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
          "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


@bp.get("/developers/api")
def api_reference():
    return render_template("public/api_reference.html"), 200, {
        "Content-Security-Policy": POLICY}
