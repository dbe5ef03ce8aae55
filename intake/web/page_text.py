"""Catalogue text in pages: the ``_`` helper, and furigana on easy-Japanese pages.

On an easy-Japanese page ``_`` gives the text with ``<ruby>`` readings (see
:mod:`intake.i18n.furigana`); other languages get escaped text.  Readers can switch the
readings off: ``?ruby=off`` (or ``on``), remembered in a cookie, a plain link that
works without JavaScript (the header offers it on easy-Japanese pages).

Ruby markup belongs in an element's content only: an attribute or the page's
``<title>`` takes ``|plain`` (the text without readings), and text built in Python
(form labels, messages) takes ``|ruby`` to get readings too.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, g, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from intake.i18n import DEFAULT_LANGUAGE, EASY_LANGUAGE, reading_markup, translate_html
from intake.i18n.furigana import furigana, without_ruby
from intake.models import PublishedText

RUBY_COOKIE = "ruby"
RUBY_CHOICES = ("on", "off")


def ruby_wanted() -> bool:
    """Readings are shown unless the reader switched them off."""
    return g.get("ruby", True)


def easy_with_ruby() -> bool:
    return g.get("lang", DEFAULT_LANGUAGE) == EASY_LANGUAGE and ruby_wanted()


def page_text(key: str, **params: object) -> Markup:
    """``key`` in the request's language, as HTML (with readings where they are wanted)."""
    return translate_html(key, g.get("lang", DEFAULT_LANGUAGE), ruby=ruby_wanted(), **params)


def ruby_filter(value: object) -> Markup:
    """Text made in Python (a form's label, a message) with readings on an easy-Japanese
    page; escaped elsewhere.  HTML already made (``Markup``) is left as it is."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    if not easy_with_ruby():
        return escape(text)
    _know_the_names()
    return furigana(text)


def _know_the_names() -> None:
    """The city's names (a theme, a district, a department) have their readings stored
    with them, and the reference data's cache hands them to the furigana helper when it
    loads (:mod:`intake.easy_names`).  A page may show a name before anything in its
    request loaded that cache — a worker's first easy-Japanese proposal page — and the
    helper would then load the analyser to read it: so the cache is loaded first (once
    per transaction; usually the request already has)."""
    from intake import reference
    from intake.db import session

    reference.snapshot(session())


def title_with_readings(copy: PublishedText) -> Markup:
    """A published title with readings: the stored ones (suggested by the worker after
    publication, perhaps corrected by staff) while they still read this title; else the
    title without readings — pending ones come with the worker's next pass
    (:mod:`intake.privacy.pending_readings`), and a web worker never loads the analyser."""
    if copy.title_easy and reading_markup.plain(copy.title_easy) == copy.title:
        return reading_markup.to_html(copy.title_easy)
    return escape(copy.title)


def plain_filter(value: object) -> Markup:
    """The text of ruby markup without its readings, for attributes and ``<title>``;
    escaped again, as a ``{% filter %}`` block's result is not."""
    return escape(without_ruby(value) if isinstance(value, Markup) else value)


class PageToReload(NamedTuple):
    path: str
    args: dict[str, str]


def page_to_reload() -> PageToReload:
    """The page the header's language and readings links open: this one, with its query.

    A page shown after a refused POST (a form error on ``/track/<token>/answer``, on a
    staff action) has an address that only takes POST; a link to it would be a 405.
    So does a GET of such an address (the 405 page).  They reload the nearest address
    above that answers GET, the page the form was on
    (``/staff/proposals/7/transitions/accept`` → ``/staff/proposals/7``).  What was typed
    is not carried over: a link cannot post it.
    """
    answers_get = request.method in ("GET", "HEAD") and not isinstance(
        request.routing_exception, MethodNotAllowed)
    if answers_get:  # a 404's address too: its page is read again in the other language
        return PageToReload(request.path, request.args.to_dict())
    adapter = current_app.url_map.bind(request.host)
    path = request.path
    while path not in ("", "/"):
        try:
            adapter.match(path, method="GET")
        except RequestRedirect:  # answers GET at another spelling (a trailing slash)
            pass
        except HTTPException:
            path = path.rstrip("/").rpartition("/")[0]
            continue
        return PageToReload(path, {})
    return PageToReload("/", {})


def init_page_text(app: Flask, language_names: dict[str, str]) -> None:
    @app.before_request
    def _pick_ruby() -> None:
        chosen = request.args.get("ruby") or request.cookies.get(RUBY_COOKIE)
        g.ruby = chosen != "off"

    @app.after_request
    def _remember_ruby(response):
        chosen = request.args.get("ruby")
        if chosen in RUBY_CHOICES:
            response.set_cookie(RUBY_COOKIE, chosen, max_age=365 * 86400, samesite="Lax",
                                httponly=True)
        return response

    @app.context_processor
    def _i18n_helpers() -> dict:
        lang = g.get("lang", DEFAULT_LANGUAGE)
        return {
            "_": page_text,
            "lang": lang,
            "languages": language_names,
            "ruby_shown": lang == EASY_LANGUAGE and ruby_wanted(),
            "page_to_reload": page_to_reload,
            "easy_title_html": lambda proposal: title_with_readings(proposal.published_text),
        }

    app.add_template_filter(ruby_filter, "ruby")
    app.add_template_filter(plain_filter, "plain")
