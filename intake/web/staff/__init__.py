"""Staff pages: login, the department queue, a proposal's page with its workflow actions,
and the workflow help.

Every view has one shape (Indico's request handlers): load the object (404), check access
(403), call one operation, render; the request commits in one place
(:mod:`intake.transaction`).  An operation's ``ActionError`` is shown beside the form that
caused it, worded by :mod:`intake.explain` as the API words it.

- ``common``         the blueprint, the login requirement, error pages, page helpers
- ``login``          sign in and out
- ``account``        the officer's own password
- ``password_links`` a password set from a mailed link (invitation, forgotten password)
                     and "forgot your password?"
- ``queue``          the queue, and the opinion requests sent to a liaison's department
- ``proposal``       one proposal's page, with the actions the officer may take now
- ``actions``        the POST route of each action (triggers, transfer, opinions, deadline
                     extensions, the comment period, sessions)
- ``workflow_help``  the workflows as diagrams and tables
- ``easy_help``      easy Japanese for reviewers: the rules and the glossary of readings
- ``office``         the dashboard, the liaison-meeting agenda and their CSV downloads
- ``next_step``      the proposal page's actions: which is recommended, in what order
- ``attachments``    each attachment's files (staff only) and its publish / withhold
- ``privacy``        the personal-data review and comment moderation (``review_panel``)
- ``triage``         the office's triage queue, each item routed in one step
- ``comments``       the held and hidden comments (moderation list)
- ``admin``, ``admin_routing``, ``admin_officers``  administration (office): code lists,
                     routing rules and the preview, officers and API tokens;
                     ``admin_templates`` the answer templates
- ``rulings_import``  rulings from a spreadsheet: dry run, then apply
"""

from . import (  # noqa: F401  (each module adds its routes)
    account,
    actions,
    admin,
    admin_officers,
    admin_routing,
    admin_templates,
    attachments,
    comments,
    easy_help,
    login,
    office,
    password_links,
    privacy,
    proposal,
    queue,
    rulings_import,
    triage,
    workflow_help,
)
from .common import bp

__all__ = ["bp"]
