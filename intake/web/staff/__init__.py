"""Staff pages: login, the department queue, a proposal's page with its workflow actions,
and the workflow help.

Every view has one shape (Indico's request handlers): load the object (404), check access
(403), call one operation, commit once, render.  An operation's ``ActionError`` rolls the
request back and is shown beside the form that caused it.

- ``common``         the blueprint, the login requirement, error pages, page helpers
- ``login``          sign in and out
- ``queue``          the queue, and the opinion requests sent to a liaison's department
- ``proposal``       one proposal and its actions (triggers, transfer, opinions, deadline
                     extensions, the comment period, sessions)
- ``workflow_help``  the workflows as diagrams and tables
"""

from . import login, proposal, queue, workflow_help  # noqa: F401  (each module adds its routes)
from .common import bp

__all__ = ["bp"]
