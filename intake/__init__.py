"""Teian (提案): the Flask application.

``create_app`` builds one application from the environment's settings
(SPEC section 8).  Tests pass ``test_config`` to override settings.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from flask import Flask, g, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

import workflows

from .body_text import Utf8Request
from .config import Settings, load_settings
from .db import make_engine, make_session_factory
from .doors import init_uploads
from .i18n import LANGUAGE_NAMES, LANGUAGES, negotiate
from .ratelimit import limiter
from .ratelimit_memory import storage_uri
from .security.headers import init_security_headers
from .transaction import init_transactions
from .unavailable import init_unavailable
from .web.page_text import init_page_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_BODY_BYTES = 256 * 1024

csrf = CSRFProtect()
login_manager = LoginManager()


def create_app(test_config: dict | None = None) -> Flask:
    settings = load_settings()
    overrides = dict(test_config or {})
    flask_overrides = overrides.pop("flask", {})
    if overrides:
        settings = dataclasses.replace(settings, **overrides)

    workflows.use_workflow_folder(settings.workflows_path)  # TEIAN_WORKFLOWS (SPEC section 8)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(TEMPLATES),
    )
    app.request_class = Utf8Request  # form bodies read as strict UTF-8 (intake.body_text)
    app.config.update(
        TEIAN=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=storage_uri(settings.ratelimit_storage),
        RATELIMIT_HEADERS_ENABLED=True,
        JSON_AS_ASCII=False,
    )
    app.config.update(flask_overrides)
    if settings.trusted_proxies:
        # TEIAN_TRUSTED_PROXIES (SPEC section 8): behind n proxies the client is the n-th
        # address from the right of X-Forwarded-For; without proxies that header is the
        # client's own say and is ignored, or anyone could pick their rate-limit key.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies)
    app.json.ensure_ascii = False

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    app.extensions["teian.engine"] = engine
    app.extensions["teian.session"] = sessions

    init_security_headers(app)
    init_unavailable(app)

    # Language first: a refusal by CSRF or the rate limiter (their own
    # before_request hooks) is then still answered in the visitor's language.
    _init_language(app)
    init_uploads(app)  # before CSRF, which reads the form (and so the files)
    csrf.init_app(app)
    limiter.init_app(app)
    _init_login(app)
    from .web.error_pages import init_error_pages

    init_error_pages(app)  # before the API's handlers, which hand other paths to these
    _register_blueprints(app)
    from .web.site_pages import init_city_pages

    init_city_pages(app)  # the city's own privacy notice and such
    # Last registered, so it runs first after the view (Flask runs after_request hooks in
    # reverse): the commit ends the write (and a SQLite writer's turn) before the headers,
    # cookies and the rate limiter's count — which then sees a lost race's 409.
    init_transactions(app, sessions)
    return app


def _init_login(app: Flask) -> None:
    from .db import session
    from .models import User
    from .security.sessions import user_for_session_id

    login_manager.init_app(app)
    login_manager.login_view = "staff.login"

    @login_manager.user_loader
    def _load_user(cookie_id: str) -> User | None:
        return user_for_session_id(session(), cookie_id)

    @app.before_request
    def _forget_the_previous_requests_user() -> None:
        """Flask-Login keeps the user in ``g``; when an app context outlives a request
        (the test suite holds one) it must not carry one request's user into the next."""
        g.pop("_login_user", None)


def _init_language(app: Flask) -> None:
    """``?lang=`` (remembered in a cookie), else Accept-Language, else ja.  The page
    text helpers (``_``, furigana on easy-Japanese pages) are :mod:`intake.i18n.pages`'."""

    @app.before_request
    def _pick_language() -> None:
        requested = request.args.get("lang") or request.cookies.get("lang")
        g.lang = negotiate(requested, [lang for lang, _q in request.accept_languages])

    @app.after_request
    def _remember_language(response):
        chosen = request.args.get("lang")
        # Not when the page could not honour it (a staff page asked for easy Japanese).
        if chosen in LANGUAGES and chosen == g.get("lang"):
            response.set_cookie("lang", chosen, max_age=365 * 86400, samesite="Lax",
                                httponly=True)
        return response

    init_page_text(app, LANGUAGE_NAMES)


def _register_blueprints(app: Flask) -> None:
    from .api import bp as api_bp
    from .open311.views import bp as open311_bp
    from .web.public import bp as public_bp
    from .web.reference import bp as reference_bp
    from .web.staff import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(open311_bp)
    app.register_blueprint(reference_bp)
    csrf.exempt(api_bp)
    csrf.exempt(open311_bp)


__all__ = ["Settings", "create_app"]
