"""The database schema, `teian init`, the user/token commands and `teian audit verify`."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text

from intake.auth import user_for_token
from intake.cli import main
from intake.models import Base, Event
from intake.search import include_name


def test_migrations_create_exactly_what_the_models_declare(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def _dump(database_url: str) -> dict[str, list[tuple]]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        dump = {
            table.name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
            for table in Base.metadata.sorted_tables
        }
        dump["alembic_version"] = conn.execute(text("SELECT * FROM alembic_version")).all()
    engine.dispose()
    return dump


def test_init_twice_changes_nothing_the_second_time(run, database_url):
    first = run("init")
    assert first.exit_code == 0, first.output
    assert "added" in first.output
    after_first = _dump(database_url)
    assert after_first["departments"] and after_first["categories"]
    assert after_first["routing_rules"]

    second = run("init")
    assert second.exit_code == 0, second.output
    assert "nothing changed" in second.output
    assert _dump(database_url) == after_first


def test_init_creates_a_fresh_sqlite_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "fresh"))
    monkeypatch.delenv("TEIAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("TEIAN_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fresh" / "teian.sqlite3").exists()
    assert (tmp_path / "fresh" / "secret_key").stat().st_mode & 0o077 == 0


def test_create_user_reads_password_from_stdin_and_token_authenticates(run, db, database_url):
    assert run("init").exit_code == 0
    result = run("create-user", "Liaison@City.test", "--role", "liaison",
                 "--department", "koen", "--primary", input="s3cret-password-for-parks\n")
    assert result.exit_code == 0, result.output
    token_result = run("create-token", "liaison@city.test")
    assert token_result.exit_code == 0
    token = token_result.output.strip()
    db.expire_all()
    user = user_for_token(db, token)
    assert user is not None and user.email == "liaison@city.test"
    assert user.department.code == "koen" and user.is_primary
    assert user.password_hash and "s3cret-password" not in user.password_hash


def test_create_user_refuses_bad_input_with_a_message(run):
    assert run("init").exit_code == 0
    short = run("create-user", "a@city.test", "--role", "office", input="short\n")
    assert short.exit_code == 2 and "at least 12" in short.output
    common = run("create-user", "a@city.test", "--role", "office", input="password1234\n")
    assert common.exit_code == 2 and "too easy to guess" in common.output
    own_name = run("create-user", "hanako.yamada@city.test", "--role", "office",
                   input="hanako.yamada\n")
    assert own_name.exit_code == 2 and "guess" in own_name.output
    no_dept = run("create-user", "b@city.test", "--role", "liaison",
                  input="violet-tram-harbour-47\n")
    assert no_dept.exit_code == 2 and "--department" in no_dept.output
    unknown = run("create-user", "c@city.test", "--role", "liaison", "--department", "nope",
                  input="violet-tram-harbour-47\n")
    assert unknown.exit_code == 2 and "nope" in unknown.output
    assert run("create-token", "nobody@city.test").exit_code == 2


# --- the audit chain ----------------------------------------------------------------------


@pytest.fixture
def audited(city, run):
    """Two proposals with a few events each."""
    first, _ = city.submit()
    city.submit(category="roads", title="道路の穴を直してほしい")
    from tests import ops as operations
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(city.session, first, "accept", liaison)
    city.session.commit()
    return city


def _events(db) -> list[Event]:
    return list(db.execute(select(Event).order_by(Event.chain, Event.seq)).scalars())


def test_audit_verify_passes_on_an_untouched_database(audited, run):
    result = run("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_audit_verify_names_an_edited_event(audited, run, db):
    victim = _events(db)[1]
    db.execute(text("UPDATE events SET reason = 'rewritten' WHERE id = :id"), {"id": victim.id})
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert f"event {victim.id} " in result.output and "edited" in result.output


def test_audit_verify_names_a_deleted_event(audited, run, db):
    events = [e for e in _events(db) if e.chain == "P1"]
    victim, successor = events[1], events[2]
    db.execute(text("DELETE FROM events WHERE id = :id"), {"id": victim.id})
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert f"event {successor.id} " in result.output


def test_audit_verify_detects_the_newest_event_deleted(audited, run, db):
    last = [e for e in _events(db) if e.chain == "P1"][-1]
    db.execute(text("DELETE FROM events WHERE id = :id"), {"id": last.id})
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert "chain P1" in result.output


def test_audit_verify_names_swapped_events(audited, run, db):
    a, b = [e for e in _events(db) if e.chain == "P1"][:2]
    db.execute(text("UPDATE events SET seq = -1 WHERE id = :id"), {"id": a.id})
    db.execute(text("UPDATE events SET seq = :s WHERE id = :id"), {"s": a.seq, "id": b.id})
    db.execute(text("UPDATE events SET seq = :s WHERE id = :id"), {"s": b.seq, "id": a.id})
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1
    assert f"event {b.id} " in result.output


# --- workflow commands --------------------------------------------------------------------


def test_workflow_validate_accepts_the_default_definition():
    from importlib.resources import files

    path = str(files("workflows") / "proposal.toml")
    result = CliRunner().invoke(main, ["workflow", "validate", path])
    assert result.exit_code == 0, result.output
    assert "is valid" in result.output


def test_workflow_validate_names_every_problem(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(
        'name = "broken"\ninitial = "start"\n'
        '[states.start]\nlabel = { ja = "開始" }\n'
        '[states.done]\nlabel = { ja = "完了" }\nfinal = true\n'
        '[[transitions]]\ntrigger = "finish"\nsource = "start"\ndest = "nowhere"\n'
        'roles = ["office"]\nguards = ["no_such_guard"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["workflow", "validate", str(broken)])
    assert result.exit_code == 1
    assert "nowhere" in result.output and "no_such_guard" in result.output


def test_workflow_diagram_prints_mermaid():
    result = CliRunner().invoke(main, ["workflow", "diagram"])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "submitted --> in_review" in result.output
    unknown = CliRunner().invoke(main, ["workflow", "diagram", "nope"])
    assert unknown.exit_code == 1


def test_workflow_diagram_shows_the_citys_own_workflow(tmp_path, monkeypatch):
    from importlib import resources

    import workflows

    text = resources.files("workflows").joinpath("proposal.toml").read_text(encoding="utf-8")
    (tmp_path / "proposal.toml").write_text(
        text.replace("in_deliberation", "under_discussion"), encoding="utf-8")
    monkeypatch.setenv("TEIAN_WORKFLOWS", str(tmp_path))
    try:
        result = CliRunner().invoke(main, ["workflow", "diagram", "proposal"])
    finally:
        workflows.use_workflow_folder(None)
    assert result.exit_code == 0
    assert "under_discussion" in result.output and "in_deliberation" not in result.output
