"""JSON API under /api/v1 (SPEC section 8)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
