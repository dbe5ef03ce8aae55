"""Teian as benchmarks/load.py serves it under gunicorn: the application from the
environment's settings (TEIAN_DATABASE_URL …), with the form's minimum fill time set to
zero so a load tool can post the form it fetched once (the honeypot, the CSRF token and
the signed timer are still checked on every post), settled as ``intake.wsgi`` settles it.

    gunicorn -w 2 -b 127.0.0.1:8061 benchmarks.wsgi:app
"""

from intake import create_app
from intake.heap import settle

app = settle(create_app({"flask": {"TEIAN_MIN_FILL_SECONDS": 0}}))
