"""Settings from the environment (SPEC section 8).

Every setting has a default that works on a bare machine: the instance
folder under the current directory, SQLite inside it, a secret key generated
into it on first start.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from limits import parse_many

from .delivery import SENDER, sender_address
from .office_contact import OfficeContact, office_contact

# Ten accepted proposals an hour from one address is more than any citizen sends; the
# per-minute ceiling stops a script.  Failed validations never count (intake.ratelimit).
DEFAULT_SUBMIT_LIMIT = "10 per hour;3 per minute"
DEFAULT_COMMENT_LIMIT = "20 per hour;5 per minute"


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    smtp_url: str
    # TEIAN_BASE_URL; empty: links follow the address the server is reached at
    base_url: str
    ratelimit_storage: str
    # TEIAN_WORKFLOWS: a folder of the city's own workflow files (None: built-in ones only).
    workflows_path: Path | None = None
    # TEIAN_STAFF_IDLE_MINUTES / TEIAN_STAFF_SESSION_HOURS: a staff session ends after this
    # long without a request, and this long after signing in whatever happens.
    staff_idle_minutes: int = 60
    staff_session_hours: int = 12
    # TEIAN_REQUIRE_TOTP: office and admin accounts must sign in with a second factor.
    require_totp: bool = False
    # TEIAN_SUBMIT_LIMIT / TEIAN_COMMENT_LIMIT: Flask-Limiter notation, per client address,
    # counting accepted submissions only (intake.ratelimit).
    submit_limit: str = DEFAULT_SUBMIT_LIMIT
    comment_limit: str = DEFAULT_COMMENT_LIMIT
    # TEIAN_TRUSTED_PROXIES: how many reverse proxies stand in front (0: none, the
    # connection's address is the client's; n: the n-th address from the right of
    # X-Forwarded-For is).
    trusted_proxies: int = 0
    # TEIAN_OFFICE_PHONE / TEIAN_OFFICE_HOURS / TEIAN_OFFICE_ADDRESS: how citizens reach the
    # collaboration office (intake.office_contact); every page's footer, the contact page
    # and the pages that tell a proposer without e-mail to call show them.  Empty: the
    # pages say "call" without a number.
    office: OfficeContact = OfficeContact()
    # TEIAN_RETENTION_YEARS: how many years after a proposal's handling ended the city keeps
    # its personal data, as the privacy notice states (the city erases it with
    # ``teian purge-personal-data``).  None: "as the city's records retention rules set".
    retention_years: int | None = None
    # TEIAN_MAIL_FROM: the From of every message (one address, a display name allowed);
    # a real mail server refuses or marks as spam a sender of its own domain it does not
    # know, so a city sets its office's address here.
    mail_from: str = SENDER

    @property
    def embedded(self) -> bool:
        """The embedded default: SQLite, one process delivering its own mail."""
        return self.database_url.startswith("sqlite")


def instance_path_from_env() -> Path:
    return Path(os.environ.get("TEIAN_INSTANCE_PATH") or Path.cwd() / "instance").resolve()


def _secret_key(instance_path: Path) -> str:
    """TEIAN_SECRET_KEY, else a key generated once into the instance folder
    (readable by the owner only), so sessions survive restarts.

    Several processes may start at once on a fresh instance (gunicorn's workers, the
    test suite's): each writes its key to a file of its own and links it into place,
    which only one can do, and every one then reads the key that won.  The link appears
    with its content, so nobody reads a key half written."""
    if key := os.environ.get("TEIAN_SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    mine = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(mine, key_file)
    except FileExistsError:
        pass  # another process was first: its key is the instance's
    finally:
        mine.unlink()
    return key_file.read_text().strip()


def workflows_path_from_env() -> Path | None:
    """TEIAN_WORKFLOWS, the folder of the city's own workflow files (None: built-in only)."""
    folder = os.environ.get("TEIAN_WORKFLOWS")
    return Path(folder) if folder else None


def rate_limit_from_env(name: str, default: str) -> str:
    """A limit in Flask-Limiter notation ("10 per hour;3 per minute"), checked at start so a
    typo stops the server with its name instead of failing every submission."""
    value = os.environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a rate limit such as {default!r} "
                         f"(got {value!r})") from exc
    return value


def trusted_proxies_from_env() -> int:
    """TEIAN_TRUSTED_PROXIES: a whole number, 0 (the default) when unset."""
    value = os.environ.get("TEIAN_TRUSTED_PROXIES", "").strip() or "0"
    if not value.isdecimal() or int(value) > 10:
        raise SystemExit(f"TEIAN_TRUSTED_PROXIES must be a whole number from 0 to 10 "
                         f"(got {value!r})")
    return int(value)


def database_url_from_env(instance_path: Path) -> str:
    """TEIAN_DATABASE_URL, else SQLite inside the instance folder."""
    return os.environ.get("TEIAN_DATABASE_URL") or f"sqlite:///{instance_path / 'teian.sqlite3'}"


def load_settings() -> Settings:
    instance_path = instance_path_from_env()
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = database_url_from_env(instance_path)
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        secret_key=_secret_key(instance_path),
        smtp_url=os.environ.get("TEIAN_SMTP_URL", ""),
        base_url=os.environ.get("TEIAN_BASE_URL", "").strip().rstrip("/"),
        ratelimit_storage=os.environ.get("TEIAN_RATELIMIT_STORAGE", "memory://"),
        workflows_path=workflows_path_from_env(),
        staff_idle_minutes=_positive_int("TEIAN_STAFF_IDLE_MINUTES", 60),
        staff_session_hours=_positive_int("TEIAN_STAFF_SESSION_HOURS", 12),
        require_totp=os.environ.get("TEIAN_REQUIRE_TOTP", "").strip().lower()
        in ("1", "true", "yes", "on"),
        submit_limit=rate_limit_from_env("TEIAN_SUBMIT_LIMIT", DEFAULT_SUBMIT_LIMIT),
        comment_limit=rate_limit_from_env("TEIAN_COMMENT_LIMIT", DEFAULT_COMMENT_LIMIT),
        trusted_proxies=trusted_proxies_from_env(),
        office=office_from_env(),
        retention_years=_positive_int("TEIAN_RETENTION_YEARS", None),
        mail_from=mail_from_from_env(),
    )


def mail_from_from_env() -> str:
    raw = os.environ.get("TEIAN_MAIL_FROM", "").strip()
    if not raw:
        return SENDER
    try:
        return sender_address(raw)
    except ValueError as exc:
        raise SystemExit(f"TEIAN_MAIL_FROM {exc} (got {raw!r}; e.g. "
                         f"'協働推進室 <kyodo@city.example.jp>')") from None


def office_from_env() -> OfficeContact:
    try:
        return office_contact(os.environ.get("TEIAN_OFFICE_PHONE", ""),
                              os.environ.get("TEIAN_OFFICE_HOURS", ""),
                              os.environ.get("TEIAN_OFFICE_ADDRESS", ""))
    except ValueError as exc:
        raise SystemExit(str(exc)) from None


def _positive_int(name: str, default: int | None) -> int | None:
    """A whole number of at least 1 from the environment; anything else is refused at
    start-up with the setting's name, never silently replaced."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1 (got {raw!r})")
    return int(raw)
