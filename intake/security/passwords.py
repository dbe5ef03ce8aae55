"""What makes a staff password acceptable: at least 12 characters, and not guessable by
zxcvbn's estimator (score 3 of 4 or better), which knows the common and breached
passwords of its frequency lists (``password``, ``123456789012``…), keyboard patterns,
dates and the user's own e-mail and name.  An offline check: a city network may not
reach a breach API, and a password must never leave the server to be checked.

zxcvbn is imported when a password is checked, not with the application: its frequency
lists hold about 12 MB, in every web worker, for a form a few staff fill in now and then."""

from __future__ import annotations

from collections.abc import Iterable

MIN_LENGTH = 12
MIN_SCORE = 3
# zxcvbn's work grows with the length; beyond this the estimate no longer changes.
ESTIMATE_CHARS = 72


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> str | None:
    """The catalogue key of the first rule the password breaks, or None."""
    if len(password) < MIN_LENGTH:
        return "password.too_short"
    from zxcvbn import zxcvbn

    hints = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    if zxcvbn(password[:ESTIMATE_CHARS], user_inputs=hints)["score"] < MIN_SCORE:
        return "password.too_guessable"
    return None
