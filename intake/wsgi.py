"""Teian for a WSGI server, made from the environment's settings (SPEC section 8):

    gunicorn -w 4 intake.wsgi:app

The application is settled (:mod:`intake.heap`) so that a worker's full garbage
collections do not walk the objects it keeps for its lifetime.
"""

from intake import create_app
from intake.heap import settle

app = settle(create_app())
