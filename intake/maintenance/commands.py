"""``teian audit …``, ``teian backup`` and ``teian restore``: the commands that keep a
city's copy trustworthy and recoverable (registered on :data:`intake.cli.main`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from intake.cli import _app, _session, main
from intake.config import database_url_from_env, instance_path_from_env, load_settings


@main.group()
def audit() -> None:
    """The tamper-evident event log."""


@audit.command("verify")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="processes hashing the chains side by side (a log of 50,000 chains or "
                   "more; worth it with cores to spare beside the database's)")
def audit_verify(jobs: int) -> None:
    """Check every event hash chain and the checkpoints over them; exit 1 naming the
    first bad event, or the chain that lost events a checkpoint recorded."""
    from intake.anchors import latest, verify_anchors
    from intake.maintenance.parallel_verify import verify_log

    app = _app()
    with app.app_context():
        session = _session(app)
        problem = (verify_log(session, app.config["TEIAN"].database_url, jobs)
                   or verify_anchors(session))
        newest = latest(session)
    if problem is not None:
        click.echo(f"BROKEN: {problem}", err=True)
        sys.exit(1)
    click.echo("audit log intact")
    if newest is not None:
        click.echo(f"newest checkpoint {newest.seq}: {newest.hash}")


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Record the chain heads changed since the last checkpoint (the worker does this on
    every pass) and print the newest checkpoint's hash, to publish."""
    from intake.anchors import checkpoint_all, latest

    app = _app()
    with app.app_context():
        session = _session(app)
        checkpoint_all(session)
        newest = latest(session)
    if newest is None:
        click.echo("no events yet")
        return
    click.echo(f"checkpoint {newest.seq} at {newest.at.isoformat(timespec='seconds')}: "
               f"{newest.hash}")


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def backup_command(file: str) -> None:
    """A consistent online copy of the database and the instance files, as FILE
    (.tar.gz)."""
    from intake.models import utcnow

    from .backup import BackupError, backup

    settings = load_settings()
    try:
        manifest = backup(settings.database_url, settings.instance_path, Path(file), utcnow())
    except BackupError as exc:
        click.echo(f"backup failed: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backed up the {manifest.database} database (revision {manifest.revision}) "
               f"and the instance files to {file}")


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def restore_command(file: str) -> None:
    """Restore a backup into an empty instance, then check the audit log."""
    from intake.anchors import verify_anchors
    from intake.audit import verify

    from .backup import BackupError, restore

    # Not load_settings(): it would make the instance folder and a secret key in it
    # before the restore has read a byte, and a failed restore must leave it as found.
    instance_path = instance_path_from_env()
    try:
        manifest = restore(Path(file), database_url_from_env(instance_path), instance_path)
    except BackupError as exc:
        click.echo(f"restore failed: {exc}", err=True)
        sys.exit(1)
    app = _app()
    with app.app_context():
        session = _session(app)
        problem = verify(session) or verify_anchors(session)
    click.echo(f"restored the backup of {manifest.created_at} "
               f"(revision {manifest.revision})")
    if problem is not None:
        click.echo(f"BROKEN audit log: {problem}", err=True)
        sys.exit(1)
    click.echo("audit log intact")


@main.command("purge-personal-data")
@click.option("--closed-before", "closed_before", required=True,
              type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Proposals that reached a final state before this day (YYYY-MM-DD).")
def purge_personal_data_command(closed_before) -> None:
    """Erase the personal data of proposals closed before DATE; the public record and the
    audit log stay."""
    from .personal_data import purge_personal_data

    app = _app()
    with app.app_context():
        report = purge_personal_data(_session(app), closed_before.date(),
                                     app.extensions["teian.attachments"])
    click.echo(f"{report.proposals} closed proposals: {report.contacts} contacts, "
               f"{report.originals} masked originals, {report.comments} held comments, "
               f"{report.supports} supporters' addresses, {report.messages} messages, "
               f"{report.reasons} questions and answers in the audit log, "
               f"{report.files} attachment files erased")


@main.command("sweep-files")
def sweep_files_command() -> None:
    """Delete the attachment files no attachment refers to (left by a submission that
    was rolled back), last written over an hour ago; the worker does this a slice a pass."""
    from intake.attachments.sweep import sweep

    app = _app()
    with app.app_context():
        swept = sweep(_session(app), app.extensions["teian.attachments"])
    if swept.no_rows:
        click.echo("the database holds no attachment: nothing swept (is TEIAN_DATABASE_URL "
                   "the database of this instance folder?)")
        return
    click.echo(f"{swept.checked} files over an hour old checked: {swept.deleted} no "
               f"attachment referred to deleted, {swept.unfinished} partial writes removed")


@main.command("export-person")
@click.argument("email")
def export_person_command(email: str) -> None:
    """Everything held about one person (by e-mail address), as JSON (開示請求)."""
    import json

    from .personal_data import export_person

    app = _app()
    with app.app_context():
        data = export_person(_session(app), email)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@main.command("recount")
def recount_command() -> None:
    """Count the dashboard's figures afresh from the proposals: after proposals were
    written with plain SQL.  (After a workflow's definition changed where its clock runs,
    the next worker pass recounts by itself.)  Writers wait until it has finished."""
    from intake.office.counts import recount

    app = _app()
    with app.app_context():
        recount(_session(app))
    click.echo("the dashboard's counts recounted from the proposals")
