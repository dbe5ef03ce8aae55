"""Rulings imported from a spreadsheet (SPEC section 7, issue 8 acceptance 4): a dry run
changes nothing; the good rows apply, each its own audited transition with the page's
guards; the bad rows are named with their line and reason; the audit chain stays intact.
Through the API (CSV body or multipart) and through the page (dry run → apply)."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from intake.cli import main
from intake.core.actors import Actor
from intake.models import ChainHead, Event, OutboxMessage, Proposal
from intake.office import imports

from .api_support import API, bearer
from .staff_support import advanced, login, page, reload
from .workflow_support import record_deliberation

HEADER = "receipt,trigger,reason,reason_code,decision,scope"


def snapshot(db) -> dict:
    """Everything an import could change."""
    db.expire_all()
    return {
        "proposals": sorted(db.execute(select(
            Proposal.id, Proposal.state, Proposal.version, Proposal.ruling_decision,
            Proposal.ruling_reason)).all()),
        "events": db.execute(select(func.count()).select_from(Event)).scalar(),
        "outbox": db.execute(select(func.count()).select_from(OutboxMessage)).scalar(),
        "heads": sorted(db.execute(select(ChainHead.chain, ChainHead.seq)).all()),
    }


@pytest.fixture
def sheet(city):
    """Six proposals of the parks department and a CSV about them, line by line."""
    review_a, review_b = advanced(city, "accept"), advanced(city, "accept")
    unrecorded = advanced(city, "accept", "open_deliberation")
    partial, full = (advanced(city, "accept", "open_deliberation") for _ in range(2))
    for proposal in (partial, full):
        record_deliberation(city.session, proposal, Actor.staff(city.parks_liaison))
    city.session.commit()
    rows = [
        f"{review_a.receipt},reject,既に同じ内容の事業があります。,duplicate,rejected,",  # 2 ok
        f"{review_b.receipt},reject,理由,bogus,rejected,",          # 3 reason_code choice
        "T-2026-999999,reject,理由,duplicate,rejected,",           # 4 unknown receipt
        f"{unrecorded.receipt},adopt,採択します。,,adopted,",        # 5 guard: no session
        f"{review_b.receipt},adopt,採択します。,,adopted,",          # 6 not from this state
        f"{partial.receipt},adopt,一部を採択します。,,adopted,花壇のみ",  # 7 decision mismatch
        f"{full.receipt},adopt,花壇の設置を採択します。,,partially_adopted,花壇のみ",  # 8 ok
    ]
    return {"csv": "\r\n".join([HEADER, *rows]) + "\r\n", "review_a": review_a,
            "review_b": review_b, "unrecorded": unrecorded, "partial": partial, "full": full}


def post_csv(client, token, body, *, dry_run=False, content_type="text/csv; charset=utf-8"):
    return client.post(f"{API}/rulings/import" + ("?dry_run=1" if dry_run else ""),
                       data=body, headers=bearer(token, **{"Content-Type": content_type}))


def verify_cli(database_url, tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "cli"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")
    result = CliRunner().invoke(main, ["audit", "verify"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("typed", ["yes", "on", "dry"])
def test_a_dry_run_argument_that_is_neither_yes_nor_no_is_refused_and_applies_nothing(
        city, client, db, sheet, typed):
    before = snapshot(db)
    response = client.post(f"{API}/rulings/import?dry_run={typed}", data=sheet["csv"].encode(),
                           headers=bearer(city.token(city.parks_liaison),
                                          **{"Content-Type": "text/csv"}))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert list(error["fields"]) == ["dry_run"]
    assert "確認のみ（dry_run）" in error["message"]
    assert snapshot(db) == before


def test_a_dry_run_changes_nothing_and_the_import_applies_the_good_rows_only(
        city, client, db, sheet, database_url, tmp_path, monkeypatch):
    token = city.token(city.parks_liaison)
    before = snapshot(db)

    dry = post_csv(client, token, sheet["csv"].encode("utf-8"), dry_run=True)
    assert dry.status_code == 200, dry.get_json()
    rows = dry.get_json()["rows"]
    assert [(r["line"], r["status"]) for r in rows] == [
        (2, "ok"), (3, "error"), (4, "error"), (5, "error"), (6, "error"), (7, "error"),
        (8, "ok")]
    assert snapshot(db) == before  # no state, version, event, message or chain head moved

    applied = post_csv(client, token, sheet["csv"].encode("utf-8"))
    assert applied.status_code == 200
    result = applied.get_json()["rows"]
    assert [r["status"] for r in result] == [r["status"] for r in rows]
    errors = {r["line"]: r["error"] for r in result if r["status"] == "error"}
    assert errors[3].startswith("reason_code（理由の区分）:")
    assert errors[4].startswith("receipt（受付番号）:")
    assert errors[5].startswith("trigger（操作）:") and "協議" in errors[5]
    assert errors[6].startswith("trigger（操作）:")
    assert errors[7].startswith("decision（決定）:")
    assert all(r["error"] is None for r in result if r["status"] == "ok")
    assert result[0]["receipt"] == sheet["review_a"].receipt

    rejected = reload(db, sheet["review_a"])
    assert (rejected.ruling_decision, rejected.ruling_reason_code, rejected.ruling_reason) == (
        "rejected", "duplicate", "既に同じ内容の事業があります。")
    adopted = reload(db, sheet["full"])
    assert (adopted.ruling_decision, adopted.ruling_scope) == ("partially_adopted", "花壇のみ")
    for name in ("review_b", "unrecorded", "partial"):  # the failing rows changed nothing
        untouched = reload(db, sheet[name])
        assert untouched.ruling_decision is None
        assert untouched.version == sheet[name].version

    after = snapshot(db)
    new_events = list(db.execute(select(Event).where(Event.seq > 0).order_by(Event.id)
                                 ).scalars())[-2:]
    assert after["events"] == before["events"] + 2  # one audited transition per good row
    assert [(e.proposal_id, e.trigger, e.actor) for e in new_events] == [
        (sheet["review_a"].id, "reject", f"user:{city.parks_liaison.id}"),
        (sheet["full"].id, "adopt", f"user:{city.parks_liaison.id}")]
    assert after["outbox"] > before["outbox"]  # the proposers are told, as from the page
    assert "intact" in verify_cli(database_url, tmp_path, monkeypatch)


def test_multipart_cp932_and_a_bom_are_read_alike(city, client, db):
    token = city.token(city.office_user)
    proposal = advanced(city, "accept")
    text = f"{HEADER}\r\n{proposal.receipt},reject,対象外です。,out_of_scope,rejected,\r\n"
    for raw in (text.encode("cp932"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        response = client.post(f"{API}/rulings/import?dry_run=1", headers=bearer(token),
                               data={"file": (io.BytesIO(raw), "rulings.csv")},
                               content_type="multipart/form-data")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["rows"] == [
            {"line": 2, "receipt": proposal.receipt, "status": "ok", "error": None}]
    applied = post_csv(client, token, text.encode("cp932"))
    assert applied.get_json()["rows"][0]["status"] == "ok"
    assert reload(db, proposal).ruling_reason == "対象外です。"


def test_a_receipt_number_typed_by_hand_is_read_as_on_the_lost_link_page(city, client):
    proposal = advanced(city, "accept")
    _t, year, _n = proposal.receipt.split("-")
    typed = f"ｔ－{year}－{proposal.id}"  # full width, lower case, no leading zeros
    text = f"{HEADER}\r\n{typed},reject,対象外です。,out_of_scope,rejected,\r\n"
    response = post_csv(client, city.token(city.office_user), text.encode(), dry_run=True)
    assert response.get_json()["rows"] == [
        {"line": 2, "receipt": typed, "status": "ok", "error": None}]


def test_a_liaison_cannot_import_for_another_department(city, client, db):
    proposal = advanced(city, "accept")  # a parks proposal
    token = city.token(city.roads_primary)
    response = post_csv(client, token,
                        f"{HEADER}\n{proposal.receipt},reject,理由,duplicate,,\n".encode())
    (row,) = response.get_json()["rows"]
    assert row["status"] == "error" and row["error"].startswith("receipt")
    assert reload(db, proposal).ruling_decision is None


@pytest.mark.parametrize("body, status, code", [
    (b"", 422, "import_no_header"),
    (b"receipt,verdict\nT-2026-000001,x\n", 422, "import_header"),
    (("\n".join([HEADER] + ["T-2026-000001,reject,r,duplicate,,"] * (imports.MAX_ROWS + 1))
      ).encode(), 422, "import_too_many_rows"),
    (b"\xff\xfe\xfa" * 10, 422, "import_encoding"),
])
def test_a_file_refused_whole_names_the_file(city, client, body, status, code):
    response = post_csv(client, city.token(city.office_user), body)
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code and "file" in error["fields"]


def test_limits_and_media_types(city, client):
    token = city.token(city.office_user)
    too_large = post_csv(client, token, b"x" * (imports.MAX_BYTES + 1))
    assert too_large.status_code == 413
    assert post_csv(client, token, b"{}", content_type="application/json").status_code == 415
    no_file = client.post(f"{API}/rulings/import", headers=bearer(token), data={},
                          content_type="multipart/form-data")
    assert no_file.status_code == 422 and "file" in no_file.get_json()["error"]["fields"]


def test_the_page_checks_then_applies_the_same_file(city, client, db, sheet):
    login(client, city.parks_liaison)
    before = snapshot(db)
    checked = client.post("/staff/rulings/import", content_type="multipart/form-data", data={
        "import-file": (io.BytesIO(sheet["csv"].encode("cp932")), "rulings.csv")})
    html = page(checked)
    assert checked.status_code == 200, html
    assert "確認の結果" in html and "取り込める行: 2件、エラーの行: 5件" in html
    assert "reason_code（理由の区分）:" in html and "decision（決定）:" in html
    assert snapshot(db) == before
    carried = html.split('name="apply-file" type="hidden" value="')[1].split('"')[0]

    applied = client.post("/staff/rulings/import/apply", data={"apply-file": carried})
    html = page(applied)
    assert applied.status_code == 200
    assert "取り込んだ行: 2件、エラーの行: 5件" in html
    assert reload(db, sheet["review_a"]).ruling_decision == "rejected"
    assert reload(db, sheet["full"]).ruling_decision == "partially_adopted"
    assert snapshot(db)["events"] == before["events"] + 2


def test_the_page_names_a_file_it_cannot_read(city, client):
    login(client, city.office_user)
    response = client.post("/staff/rulings/import", content_type="multipart/form-data",
                           data={"import-file": (io.BytesIO(b"nothing,here\n1,2\n"), "x.csv")})
    assert response.status_code == 422
    assert "1行目の見出し行を確認してください" in page(response)
    assert client.get("/staff/rulings/import").status_code == 200


def test_a_reason_code_for_an_action_without_one_is_named(city, client, db):
    proposal = advanced(city, "accept", "open_deliberation")
    token = city.token(city.parks_liaison)
    response = post_csv(client, token,
                        f"{HEADER}\n{proposal.receipt},reject,理由,duplicate,,\n".encode())
    (row,) = response.get_json()["rows"]
    assert row["status"] == "error" and row["error"].startswith("reason_code")
