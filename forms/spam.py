"""Spam defences for the public web form: a honeypot and a minimum fill time.

The honeypot is a visually hidden text input that people never fill and
naive bots do.  The fill timer is a signed timestamp issued with the empty
form; a form sent back faster than a person can type is refused.  Rate
limits per address are applied on the route (Flask-Limiter).
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import HiddenField, StringField

MIN_FILL_SECONDS = 3.0


class SpamDefences:
    """Mixin for a FlaskForm: ``website`` (honeypot) and ``started`` (timer)."""

    website = StringField()
    started = HiddenField()

    def issue_timer(self, secret: str) -> None:
        self.started.data = URLSafeSerializer(secret, salt="form-timer").dumps(time.time())

    def looks_like_spam(self, secret: str, min_seconds: float = MIN_FILL_SECONDS) -> bool:
        if self.website.data:
            return True
        try:
            started = float(URLSafeSerializer(secret, salt="form-timer").loads(self.started.data))
        except (BadSignature, TypeError, ValueError):
            return True
        return time.time() - started < min_seconds
