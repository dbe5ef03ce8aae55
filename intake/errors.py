"""Errors a user action can end in.  Every door (web page, JSON API,
Open311) turns them into its own answer; none of them is ever a 500."""

from __future__ import annotations


class ActionError(Exception):
    """``message`` and ``fields`` are for people once ``translated`` is true (a door
    wrote them in the user's language); an operation's are English for developers, with
    rule codes in ``fields``, and a door words them with :func:`intake.explain.explain`."""

    status = 400
    code = "bad_request"
    translated = False

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        code: str | None = None,
        translated: bool | None = None,
        **details: object,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if translated is not None:
            self.translated = translated
        self.details = details


class Invalid(ActionError):
    status, code = 422, "invalid"


class Forbidden(ActionError):
    status, code = 403, "forbidden"


class NotFound(ActionError):
    status, code = 404, "not_found"


class Conflict(ActionError):
    status, code = 409, "conflict"


class Refused(ActionError):
    """The workflow refused: a trigger not allowed now, or a guard failed."""

    status, code = 422, "refused"
