"""Rate limiting (Flask-Limiter): per client address (sign-in: per account too), in
memory by default,
in Redis (``TEIAN_RATELIMIT_STORAGE=redis://…``) when several processes
must share the counts.

Submissions, comments and tracking-link look-ups count only when accepted (``deduct_when``):
the limiter tests the
count before the view runs and adds to it only after a 201 (API) or a 303 (the page's
redirect to its receipt), so a citizen correcting a form is never locked out, while the
(limit+1)-th accepted submission is refused.  The limits are settings
(``TEIAN_SUBMIT_LIMIT`` / ``TEIAN_COMMENT_LIMIT``), read per request from the app's
:class:`~intake.config.Settings`.  The client address is ``request.remote_addr``; behind
``TEIAN_TRUSTED_PROXIES`` proxies the app factory's ProxyFix has already set it from
``X-Forwarded-For``.
"""

from collections.abc import Callable

from flask import Response, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Sign-in: guesses at one account are few (and five wrong passwords lock it, see
# intake.security.lockout); a whole city hall may sign in from one outgoing address, so
# the address only has a ceiling that no office reaches by typos (see limit_sign_in).
LOGIN_ACCOUNT_LIMIT = "10 per minute"
LOGIN_ADDRESS_LIMIT = "100 per minute"
# Each accepted look-up mails the proposer: a low limit keeps the form from mailing anyone
# over and over (see limit_lookups).
LOOKUP_LIMIT = "10 per hour;3 per minute"
# Each accepted "forgot your password?" may mail an officer: as low as the look-ups.
RESET_LIMIT = "10 per hour;3 per minute"
# The statuses of an accepted submission or comment: 201 from the API, 303 from a page.
ACCEPTED = (201, 303)


def submit_limit() -> str:
    return current_app.config["TEIAN"].submit_limit


def comment_limit() -> str:
    return current_app.config["TEIAN"].comment_limit


def accepted(response: Response) -> bool:
    """Whether the request counts against its limit: only what was accepted."""
    return response.status_code in ACCEPTED


def limit_submissions(**kwargs):
    """The submit limit, counting accepted proposals only; one count for the page and the
    API, so a second door is not a second allowance."""
    return limiter.shared_limit(submit_limit, scope="submissions", deduct_when=accepted,
                                **kwargs)


def limit_comments(**kwargs):
    """The comment limit, counting accepted comments only; one count for both doors."""
    return limiter.shared_limit(comment_limit, scope="comments", deduct_when=accepted,
                                **kwargs)


def limit_supports(**kwargs):
    """Support requests share the comment limit's setting (a count of its own), counting
    accepted requests only: 202 from the API, 303 from the page."""
    return limiter.shared_limit(comment_limit, scope="supports",
                                deduct_when=lambda response: response.status_code in (202, 303),
                                **kwargs)


def limit_sign_in(account: Callable[[], str]):
    """The sign-in limits of a view (POSTs only): LOGIN_ACCOUNT_LIMIT per account
    (``account()`` names it from the request: the folded e-mail address, or the officer
    halfway through two-step sign-in), so one person's typos or one attacker's guesses
    never lock out colleagues behind the same address; and LOGIN_ADDRESS_LIMIT per client
    address, which stops one address trying many accounts."""
    per_account = limiter.limit(LOGIN_ACCOUNT_LIMIT, methods=["POST"],
                                key_func=lambda: f"account:{account()}")
    per_address = limiter.limit(LOGIN_ADDRESS_LIMIT, methods=["POST"])

    def decorate(view):
        return per_address(per_account(view))

    return decorate


def limit_lookups(**kwargs):
    """The tracking-link look-up limit, counting look-ups that passed the form's checks (the
    page's 303), so a citizen correcting a mistyped receipt number is not locked out.

    A well-formed look-up that matched nothing counts too: its answer is the same as a
    match's (nobody learns which proposals exist), and it is exactly what someone guessing
    receipt numbers or mailing a stranger over and over sends, which the limit is for."""
    return limiter.limit(LOOKUP_LIMIT, deduct_when=lambda response: response.status_code == 303,
                         **kwargs)


def limit_password_resets(**kwargs):
    """The "forgot your password?" limit, counting requests that passed the form's
    checks (the page's 303), matched an account or not (they look the same)."""
    return limiter.limit(RESET_LIMIT, deduct_when=lambda response: response.status_code == 303,
                         **kwargs)
