"""JSON API under /api/v1 (SPEC section 8), described by /api/v1/openapi.json.

Modules: ``proposals`` (the public and the proposer's tracking link), ``staff``
(bearer-token routes for liaisons and the office), ``openapi`` (the description),
``errors`` (every failure as JSON), ``auth`` (bearer tokens), ``payload`` (reading
bodies and query strings without ever failing with a 500).  Views are thin: read the
request, call a query or an operation from :mod:`intake.operations`, commit once,
answer a shape from :mod:`intake.serializers`.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import (  # noqa: E402,F401  (routes register on bp)
    actions,
    admin,
    answers,
    attachments,
    errors,
    figures,
    openapi,
    privacy,
    proposals,
    rulings,
    staff,
    supports,
)
from .payload import check_query_string  # noqa: E402

bp.register_error_handler(errors.ActionError, errors.action_error_response)
bp.before_request(check_query_string)
# JSON for 404/405/413/429/500 under /api/ needs application-wide handlers.
bp.record_once(lambda state: errors.register(state.app))


@bp.after_request
def _private_by_default(response):
    """API answers carry tokens, personal data or fresh state: never cache them in
    shared caches unless a view says otherwise."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response
