"""What every door (pages, JSON API, later Open311 and CSV import) hands the operations
from the request it serves: the links for messages, built for the address the request
reached unless ``TEIAN_BASE_URL`` says otherwise."""

from __future__ import annotations

from flask import current_app, request

from .links import Links, links_for


def request_links() -> Links:
    return links_for(current_app, request.host_url)
