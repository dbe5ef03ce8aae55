"""New staff accounts: the one operation every door calls (the administrators' page, the
API's ``POST /users``, ``teian create-user``), so an account is made by one set of rules.

An account made on the page or through the API has no password: its owner is mailed an
invitation, a one-time link to set one (:mod:`intake.security.password_links`), in the
same transaction as the account; an administrator can mail it a new one while it still
has none (:func:`resend_invitation`), on the page or through the API.  The command line
is the operator's door to an empty database (the first administrator): it gives the
password itself, read from standard input, and mails nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forms.normalize import email_address
from intake.auth import hash_password
from intake.core.actors import Actor, ActorKind
from intake.errors import Conflict, Invalid
from intake.links import Links
from intake.models import Department, LinkPurpose, Role, User
from intake.security.password_links import VALID_FOR, mail_link
from intake.security.passwords import password_problem

from .changes import plain, record_change, require_admin
from .officers import demote_other_primaries

Clock = Callable[[], datetime]
EMAIL_MAX, NAME_MAX = 254, 100
MAIL_LANGUAGES = ("ja", "en")


def normalized_email(value: object) -> str:
    """An address as accounts keep it: folded as the forms fold addresses (NFKC), then
    lower-cased whole, so ``Hanako@City.JP`` and ``hanako@city.jp`` are one account
    (sign-in looks addresses up lower-cased)."""
    return email_address(str(value or "")).lower()


def _email_problem(session: Session, email: str) -> str | None:
    if not email:
        return "required"
    if len(email) > EMAIL_MAX:
        return "invalid"
    try:
        # No DNS look-up (a city's network may have none); ``.test`` addresses pass, for
        # a city's test instance.
        validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return "invalid"
    if session.execute(select(exists().where(User.email == email))).scalar():
        return "taken"
    return None


def _department(session: Session, code: object, problems: dict[str, list[str]]
                ) -> Department | None:
    if not code:
        return None
    found = session.execute(
        select(Department).where(Department.code == str(code))).scalar_one_or_none()
    if found is None:
        problems["department"] = ["unknown"]
    elif not found.active:
        problems["department"] = ["inactive"]
    return found


def create_staff_account(session: Session, actor: Actor, clock: Clock, links: Links,
                         values: Mapping[str, object], *, password: str | None = None
                         ) -> User:
    """Make an officer's account from ``values`` (``email``, ``display_name``, ``role``,
    ``department`` a code, ``is_primary``, ``language`` of the invitation mail: ja or
    en).  Roles are the administrators' to give, so only an administrator may (or the
    command line, as the system).

    Every refusal is one :class:`~intake.errors.Invalid` naming each field and its rule:
    the address missing, malformed or already an account's (``taken``: addresses are
    compared lower-cased), an unknown role, an unknown or inactive department, a liaison
    without one, a password the rules refuse.  Made primary, the department's previous
    primary becomes a deputy, as when an officer is edited.  The account and each change
    are ``admin_change`` events; the reference data's stamp is renewed by the session
    hooks (:mod:`intake.reference`) with the new row."""
    if actor.kind != ActorKind.system:
        require_admin(actor)
    problems: dict[str, list[str]] = {}
    email = normalized_email(values.get("email"))
    if rule := _email_problem(session, email):
        problems["email"] = [rule]
    role = str(values.get("role") or "")
    if role not in {r.value for r in Role}:
        problems["role"] = ["not_chosen" if not role else "unknown"]
    department = _department(session, values.get("department"), problems)
    if role == Role.liaison and department is None and "department" not in problems:
        problems["department"] = ["not_chosen"]
    name = str(values.get("display_name") or "").strip()
    if len(name) > NAME_MAX:
        problems["display_name"] = ["invalid"]
    language = str(values.get("language") or "ja")
    if language not in MAIL_LANGUAGES:
        problems["language"] = ["unknown"]
    if password is not None and (problem := password_problem(password, [email, name])):
        problems["password"] = [problem]
    if problems:
        raise Invalid("account refused: " + ", ".join(problems), fields=problems)
    now = clock()
    user = User(email=email, display_name=name or email, role=Role(role),
                department_id=department.id if department else None,
                is_primary=bool(values.get("is_primary")) and department is not None,
                created_at=now)
    try:
        with session.begin_nested():  # another request made the same address meanwhile
            session.add(user)
            session.flush()
    except IntegrityError:
        raise Invalid("email: taken", fields={"email": ["taken"]}) from None
    record_change(session, actor, "users", user.id, "create", {
        "email": [None, email], "display_name": [None, user.display_name],
        "role": [None, plain(user.role)],
        "department": [None, department.code if department else None],
        "is_primary": [None, user.is_primary]})
    if user.is_primary:
        demote_other_primaries(session, actor, user)
    if password is not None:
        user.password_hash = hash_password(password)
        user.password_changed_at = now
    else:
        mail_link(session, links, user, LinkPurpose.invite, language=language, now=now)
    session.flush()
    return user


def resend_invitation(session: Session, actor: Actor, clock: Clock, links: Links, user: User,
                      *, language: str = "ja") -> datetime:
    """Mail ``user`` a new invitation link (and retire its older ones), for an account
    whose owner lost the mail or let the link expire; when the new link expires.  Only
    an administrator may (:class:`~intake.errors.Forbidden`, as for making the account).

    Refused with :class:`~intake.errors.Conflict` when the account already has a
    password (``password_already_set``: its owner uses "forgot your password?") or is
    no longer active (``account_inactive``: a link of an inactive account never works),
    and :class:`~intake.errors.Invalid` for a mail language other than ja or en.  The link,
    its mail in the outbox and one ``admin_change`` event (op ``invite``) are written in
    the caller's transaction, together or not at all."""
    require_admin(actor)
    if language not in MAIL_LANGUAGES:
        raise Invalid("language: unknown", fields={"language": ["unknown"]})
    if not user.active:
        raise Conflict("the account is inactive", code="account_inactive")
    if user.password_hash is not None:
        raise Conflict("the account already has a password", code="password_already_set")
    now = clock()
    until = now + VALID_FOR[LinkPurpose.invite]
    mail_link(session, links, user, LinkPurpose.invite, language=language, now=now)
    record_change(session, actor, "users", user.id, "invite",
                  {"invitation_expires_at": [None, plain(until)]})
    session.flush()
    return until
