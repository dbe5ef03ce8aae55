"""Security headers on every answer (pages, API, Open311, static files).

A small after-request hook rather than Flask-Talisman: Talisman's value is mostly the
same header list, while its HTTPS redirect and session-cookie rewriting would fight the
embedded default (plain HTTP on 127.0.0.1) and the proxy setting.  What each header is for:

- ``Content-Security-Policy``: scripts and styles only from this server's files (no
  inline script anywhere: the templates load ``static/*.js``), nothing framed
  (``frame-ancestors 'none'``: staff action buttons cannot be clickjacked), forms post
  only here.  A view that needs more (the Redoc reference page) sets its own policy.
- ``X-Frame-Options: DENY``: the same for browsers that predate ``frame-ancestors``.
- ``X-Content-Type-Options: nosniff``: an upload or a JSON answer is never run as script.
- ``Referrer-Policy``: no path (a tracking token lives in one) leaves for another site.
- ``Strict-Transport-Security``: only when the site is served over HTTPS (the base URL
  says so, or the request came that way), so the embedded default keeps working on HTTP.
- ``Cache-Control: no-store`` on staff pages (they show e-mail addresses and phone
  numbers) and on the proposer's tracking pages: a shared computer must not keep them.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"
# Blueprints whose every page carries personal data or a private key.
PRIVATE_BLUEPRINTS = frozenset({"staff"})


def _served_over_https() -> bool:
    base_url = getattr(current_app.config.get("TEIAN"), "base_url", "") or ""
    return request.is_secure or base_url.startswith("https://")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if _served_over_https():
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.blueprint in PRIVATE_BLUEPRINTS:
        headers["Cache-Control"] = "no-store"
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
