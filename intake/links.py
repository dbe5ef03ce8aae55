"""Absolute links for messages that leave the application (e-mail), and the office's
telephone they give a person to call.

A mail is written inside an operation, which runs in a web request, in ``teian worker``
or in a command, so links cannot come from ``flask.url_for`` and the request.  A
:class:`Links` is built by the door that starts the work — from the app's URL map and the
base URL that door knows — and handed to the operation like the session and the clock.
The routes are the URL map's, so a link in a mail can never point at a page that does
not exist.

The base URL: ``TEIAN_BASE_URL`` when set; otherwise the address the visitor reached
(in a request) or the address ``teian serve`` listens on (SPEC section 8).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from werkzeug.routing import MapAdapter

from intake.i18n import DEFAULT_LANGUAGE
from intake.office_contact import OfficeContact

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class Links:
    """The pages a message may send a person to, as absolute URLs, and how to reach the
    office (``TEIAN_OFFICE_PHONE``, ``TEIAN_OFFICE_HOURS``: :mod:`intake.office_contact`)
    for a person to call."""

    def __init__(self, adapter: MapAdapter, office: OfficeContact | None = None,
                 language: str | None = None) -> None:
        self._adapter = adapter
        self.office = office or OfficeContact()
        self._language = language

    def in_language(self, language: str) -> Links:
        """These links for a reader of ``language``: the pages a citizen is sent to carry
        ``?lang=`` (not for Japanese, the default), so a proposal sent in English opens in
        English from the mail whatever the browser asks for."""
        return Links(self._adapter, self.office,
                     None if language == DEFAULT_LANGUAGE else language)

    @property
    def office_phone(self) -> str:
        """The telephone; empty when not set."""
        return self.office.phone

    @classmethod
    def for_app(cls, app: Flask, base_url: str) -> Links:
        parts = urlsplit(base_url.rstrip("/") or DEFAULT_BASE_URL)
        adapter = app.url_map.bind(
            parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
        )
        return cls(adapter, app.config["TEIAN"].office)

    def _build(self, endpoint: str, **values: object) -> str:
        return self._adapter.build(endpoint, values, force_external=True)

    def _page(self, endpoint: str, **values: object) -> str:
        """A page a citizen reads, in their language (:meth:`in_language`)."""
        if self._language:
            values["lang"] = self._language
        return self._build(endpoint, **values)

    def track(self, token: str) -> str:
        """The proposer's private tracking page."""
        return self._page("public.track", token=token)

    def track_lookup(self) -> str:
        """Where a proposer without their link asks for it again (receipt + contact)."""
        return self._page("public.track_lookup")

    def public_proposal(self, proposal_id: int) -> str:
        return self._page("public.proposal", proposal_id=proposal_id)

    def public_list(self, **filters: str) -> str:
        """The list of published proposals with ``filters`` (its feed's page)."""
        return self._page("public.proposals", **filters)

    def proposals_feed(self, **filters: str) -> str:
        return self._page("public.proposals_feed", **filters)

    def proposal_feed(self, proposal_id: int) -> str:
        return self._page("public.proposal_feed", proposal_id=proposal_id)

    def confirm_support(self, token: str) -> str:
        """Where a citizen confirms their support (賛同) of a proposal."""
        return self._page("public.support_confirm", token=token)

    def attachment(self, attachment_id: int, *, thumbnail: bool = False) -> str:
        """A published attachment's public address (404 until published)."""
        return self._build("public.attachment_thumbnail" if thumbnail else "public.attachment",
                           attachment_id=attachment_id)

    def tracked_attachment(self, token: str, attachment_id: int, *,
                           thumbnail: bool = False) -> str:
        """One of the proposer's own files, published or not, under their tracking link."""
        return self._build("public.track_attachment_thumbnail" if thumbnail
                           else "public.track_attachment", token=token,
                           attachment_id=attachment_id)

    def staff_attachment(self, attachment_id: int, *, thumbnail: bool = False) -> str:
        """Any attachment, for the lead department and the office: the staff page's
        address (signed in) and the API's (bearer token)."""
        if thumbnail:
            return self._build("staff.attachment_thumbnail", attachment_id=attachment_id)
        return self._build("staff.attachment_file", attachment_id=attachment_id)

    def api_attachment(self, attachment_id: int) -> str:
        return self._build("api.attachment_file", attachment_id=attachment_id)

    def set_password(self, token: str) -> str:
        """Where a new officer (an invitation) or one who forgot it sets a password."""
        return self._build("staff.password_link", token=token)

    def staff_login(self) -> str:
        return self._build("staff.login")

    def staff_proposal(self, proposal_id: int) -> str:
        return self._build("staff.proposal", proposal_id=proposal_id)


def base_url_of(app: Flask, request_host_url: str | None = None) -> str:
    """``TEIAN_BASE_URL``; else the address of this request; else the address the
    server listens on (``teian serve`` records it); else the default."""
    configured = app.config["TEIAN"].base_url
    if configured:
        return configured
    if request_host_url:
        return request_host_url
    return app.extensions.get("teian.listen_url") or DEFAULT_BASE_URL


def links_for(app: Flask, request_host_url: str | None = None) -> Links:
    return Links.for_app(app, base_url_of(app, request_host_url))
