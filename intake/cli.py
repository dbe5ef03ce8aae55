"""The ``teian`` command (SPEC section 8)."""

from __future__ import annotations

import dataclasses
import sys

import click
from sqlalchemy import select

from workflows import LANGUAGES

from . import create_app, migrate


def _app():
    return create_app()


def _session(app):
    return app.extensions["teian.session"]()


@click.group()
def main() -> None:
    """Teian (提案): citizen proposals to the city."""


@main.command()
def init() -> None:
    """Create or upgrade the database and load the default organisation."""
    app = _app()
    with app.app_context():
        _init(app)


def _init(app) -> dict[str, int]:
    from .seed import load_defaults

    engine = app.extensions["teian.engine"]
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    after = migrate.current_revision(engine)
    session = _session(app)
    added = load_defaults(session)
    session.commit()
    if before == after:
        click.echo(f"database at revision {after} (no migration needed)")
    else:
        click.echo(f"database upgraded {before or 'empty'} → {after}")
    if any(added.values()):
        click.echo("added " + ", ".join(f"{n} {what}" for what, n in added.items() if n))
    else:
        click.echo("default data already present; nothing changed")
    return added


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the web application with a production WSGI server (waitress)."""
    _serve(_app(), host, port)


def _serve(app, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    from .heap import settle

    _remember_listen_url(app, host, port)
    settle(app)
    if app.config["TEIAN"].embedded:
        _start_embedded_delivery(app)
    click.echo(f"Teian is serving on http://{host}:{port}/  (Ctrl+C stops it)")
    waitress_serve(app, host=host, port=port, threads=8, ident="teian")


def _remember_listen_url(app, host: str, port: int) -> None:
    """Without TEIAN_BASE_URL, links in mail written outside a request (escalations,
    the demo's receipts) point at the address this server listens on (SPEC section 8)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    app.extensions["teian.listen_url"] = f"http://{shown}:{port}"


@main.command()
@click.option("--no-serve", is_flag=True, help="Load the demo data and exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def demo(no_serve: bool, host: str, port: int) -> None:
    """init, then demo officers and proposals (printing the logins), then serve."""
    from .demo import DEMO_OFFICE, load_demo
    from .links import links_for

    app = _app()
    _remember_listen_url(app, host, port)
    settings = app.config["TEIAN"]
    if not settings.office.phone:  # the demo city's (a number no one answers)
        app.config["TEIAN"] = dataclasses.replace(settings, office=DEMO_OFFICE)
    with app.app_context():
        _init(app)
        logins = load_demo(_session(app), links_for(app))
    if logins:
        click.echo("Demo logins (e-mail / password):")
        for email, password, what in logins:
            click.echo(f"  {email:32} {password:16} {what}")
    if not no_serve:
        _serve(app, host, port)


@main.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["liaison", "office", "admin"]), required=True)
@click.option("--department", "department_code", help="Department code (required for liaison).")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--primary", is_flag=True, help="The department's primary liaison.")
def create_user(email: str, role: str, department_code: str | None, display_name: str,
                primary: bool) -> None:
    """Create a staff user; the password is read from standard input."""
    from .admin.accounts import create_staff_account
    from .core.actors import Actor, ActorKind
    from .errors import Invalid
    from .links import links_for
    from .models import utcnow

    password = sys.stdin.readline().rstrip("\r\n")
    values = {"email": email, "role": role, "department": department_code or "",
              "display_name": display_name, "is_primary": primary}
    app = _app()
    with app.app_context():
        session = _session(app)
        operator = Actor(ActorKind.system, None, "teian create-user")
        try:
            user = create_staff_account(session, operator, utcnow, links_for(app), values,
                                        password=password)
        except Invalid as refused:
            session.rollback()
            raise click.UsageError(_refusal(refused, values)) from refused
        session.commit()
        click.echo(f"created {role} {user.email}")


# The operation's refusals as the command's options and arguments name them.
_CLI_NAMES = {"email": "EMAIL", "department": "--department", "display_name": "--name",
              "role": "--role", "password": "the password (from stdin)"}
_CLI_RULES = {"taken": "a user with this address already exists", "required": "required",
              "not_chosen": "required",
              "unknown": "unknown", "inactive": "inactive", "invalid": "not valid"}


def _refusal(refused, values: dict) -> str:
    from .i18n import translate

    parts = []
    for name, rules in refused.fields.items():
        said = "; ".join(translate(rule, "en") if rule.startswith("password.")
                         else _CLI_RULES.get(rule, rule) for rule in rules)
        value = values.get(name)
        shown = f" {value!r}" if value and name != "password" else ""
        parts.append(f"{_CLI_NAMES.get(name, name)}{shown}: {said}")
    return "; ".join(parts)


@main.command("create-token")
@click.argument("email")
def create_token(email: str) -> None:
    """Print a new API token for that user (shown once; only its hash is kept)."""
    from .auth import issue_api_token
    from .models import User

    app = _app()
    with app.app_context():
        session = _session(app)
        user = session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none()
        if user is None:
            raise click.UsageError(f"no user {email}")
        token = issue_api_token(session, user)
        session.commit()
    click.echo(token)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="The file to write (default: standard output).")
@click.option("--lang", type=click.Choice(LANGUAGES), default="ja",
              show_default=True, help="The language of names and state labels.")
def export(fmt: str, out: str | None, lang: str) -> None:
    """Open data: every published proposal and its ruling, no personal data."""
    from .opendata.export import published_rows
    from .opendata.formats import FORMATS
    from .queries import Filters

    app = _app()
    with app.app_context():
        counted = [0]

        def rows():
            for row in published_rows(_session(app), Filters(), lang):
                counted[0] += 1
                yield row

        if out is None:
            FORMATS[fmt].save(rows(), sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        try:
            with open(out, "wb") as file:
                FORMATS[fmt].save(rows(), file)
        except OSError as exc:
            click.echo(f"cannot write {out}: {exc.strerror or exc}", err=True)
            sys.exit(1)
    click.echo(f"wrote {counted[0]} published proposals to {out}", err=True)


@main.group()
def workflow() -> None:
    """Workflow definitions (TOML)."""


@workflow.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def workflow_validate(file: str) -> None:
    """Check a workflow definition; exit 1 with every problem found."""
    import workflows

    try:
        wf = workflows.load_workflow(file)
    except workflows.WorkflowDefinitionError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"{file}: workflow {wf.name!r} is valid "
               f"({len(wf.states)} states, {len(wf.transitions)} transitions)")


@workflow.command("diagram")
@click.argument("name_or_file", default="proposal")
def workflow_diagram(name_or_file: str) -> None:
    """Print a workflow as a Mermaid state diagram."""
    import workflows

    from .config import workflows_path_from_env

    try:
        if name_or_file.endswith(".toml"):
            wf = workflows.load_workflow(name_or_file)
        else:
            # The city's own files (TEIAN_WORKFLOWS) as the running app sees them.
            workflows.use_workflow_folder(workflows_path_from_env())
            wf = workflows.get_workflow(name_or_file)
    except (workflows.WorkflowDefinitionError, KeyError, FileNotFoundError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(wf.mermaid())


def _transport(app):
    from .delivery import Transport

    settings = app.config["TEIAN"]
    return Transport(settings.smtp_url, settings.instance_path, sender=settings.mail_from,
                     base_url=settings.base_url)


READINGS_BATCH, READINGS_PER_PASS = 200, 2000


def _background_pass(app, transport) -> tuple[int, int, int, int, int]:
    """One pass of the background work: escalate overdue steps, deliver everything due
    in the outbox, checkpoint the audit log, fold the dashboard's counts, forget supports
    whose link expired unconfirmed, sweep a slice of the attachment files no row refers
    to, give published titles their readings.  Returns (escalated, sent, failed, files
    deleted, titles given readings)."""
    from workflows.calendar import today_jst

    from .anchors import checkpoint
    from .attachments.sweep import sweep_next_slice
    from .delivery import deliver_due
    from .links import links_for
    from .models import utcnow
    from .office.counts import fold, recount_if_stale
    from .privacy.pending_readings import give_pending_readings
    from .supports.expiry import forget_expired_supports
    from .workflow.escalation import escalate_overdue

    with app.app_context():
        session = _session(app)
        escalated = escalate_overdue(session, today_jst(), links=links_for(app))
        session.commit()
        sent, failed = deliver_due(session, transport)
        checkpoint(session)  # the audit log's city-wide anchor (intake.anchors)
        recount_if_stale(session)  # a workflow changed where its clock runs
        fold(session)  # the dashboard's kept counts, every table (intake.office.kept)
        forget_expired_supports(session, utcnow())  # addresses nobody confirmed
        session.commit()
        swept = sweep_next_slice(session, app.extensions["teian.attachments"])
        # Last: the analyser's dictionary is loaded here, never in a web worker.  A batch
        # a transaction (writers wait for one batch at most), and a bounded number a pass
        # so that a backlog (titles published before 0012) never holds up the mail.
        readings = 0
        while readings < READINGS_PER_PASS:
            given = give_pending_readings(session, limit=READINGS_BATCH)
            session.commit()
            readings += given
            if given < READINGS_BATCH:
                break
    return escalated, sent, failed, swept.deleted if swept else 0, readings


def _start_embedded_delivery(app, every_seconds: float = 5.0) -> None:
    """In the embedded default the server delivers its own outbox, in a
    daemon thread, so one ``teian serve`` is the whole system."""
    import threading

    transport = _transport(app)

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(every_seconds):
            try:
                _background_pass(app, transport)
            except Exception as exc:  # keep the server up; the next pass retries
                app.logger.warning("background pass failed: %s", exc)

    threading.Thread(target=loop, name="teian-outbox", daemon=True).start()


@main.command()
@click.option("--once", is_flag=True, help="One pass (everything due), then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def worker(once: bool, interval: float) -> None:
    """Escalate overdue proposals and deliver the outbox (SMTP, or .eml
    files without TEIAN_SMTP_URL); also fold the dashboard's counts,
    forget supports left unconfirmed past their link's week, delete
    attachment files no attachment refers to (a slice a pass) and give
    published titles their easy-Japanese readings.  Each pass
    delivers everything due; several workers may run at once without
    sending a message twice."""
    import time

    app = _app()
    transport = _transport(app)
    while True:
        escalated, sent, failed, files, readings = _background_pass(app, transport)
        if sent or failed or escalated or files or readings or once:
            click.echo(f"escalated {escalated}, delivered {sent}, failed {failed}, "
                       f"unreferenced files deleted {files}, titles given readings {readings}")
        if once:
            return
        time.sleep(interval)


from .maintenance import commands as _maintenance_commands  # noqa: E402,F401  (registers)
