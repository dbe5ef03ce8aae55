"""Staff pages: login, the department queue, a proposal's page with its workflow actions,
and the workflow help.

Every view has one shape (Indico's request handlers): load the object (404), check access
(403), call one operation, render; the request commits in one place
(:mod:`intake.transaction`).  An operation's ``ActionError`` is shown beside the form that
caused it, worded by :mod:`intake.explain` as the API words it.

- ``common``         the blueprint, the login requirement, error pages, page helpers
- ``login``          sign in and out
- ``queue``          the queue, and the opinion requests sent to a liaison's department
- ``proposal``       one proposal's page, with the actions the officer may take now
- ``actions``        the POST route of each action (triggers, transfer, opinions, deadline
                     extensions, the comment period, sessions)
- ``workflow_help``  the workflows as diagrams and tables
- ``office``         the dashboard, the liaison-meeting agenda and their CSV downloads
"""

from . import actions, login, office, proposal, queue, workflow_help  # noqa: F401  (each module adds its routes)
from .common import bp

__all__ = ["bp"]
