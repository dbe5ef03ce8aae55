"""Open data (SPEC sections 5 and 8): ``teian export --format csv|json`` and the public
list's downloads hold every published proposal and none of the others, the public text
only (a masked phone stays masked), none of the proposers' personal data, and CSV cells a
spreadsheet would run as formulas come out inert."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from intake.cli import main
from intake.opendata.export import COLUMNS, published_rows
from intake.queries import Filters
from tests import ops
from tests.test_web_public import Page

# Personal data seeded into the proposals; no output may hold any of it.
EMAIL = "zq-private-7@example.jp"
PHONE = "080-5555-0199"
NAME = "鈴木 乙女"
MASKED_PHONE = "090-8765-4321"
SECRETS = (EMAIL, PHONE, NAME, MASKED_PHONE, "hanako@example.jp", "090-1234-5678", "山田 花子")
FORMULAS = ('=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2", "\tTAB")


def accept(city, proposal):
    ops.fire_trigger(city.session, proposal, "accept", ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    return proposal


@pytest.fixture
def seeded(city):
    """Published: a plain parks proposal by a proposer who kept their name private, one
    with a phone masked in its public copy, a rejected one, one by a group that agreed to
    be named, a roads one, and one per formula title.  Unpublished: one just submitted,
    and one the office withheld."""
    private = dict(proposer_name=NAME, email=EMAIL, phone=PHONE)
    plain = accept(city, city.submit(title="公園に花壇をつくる", **private)[0])
    masked, _ = city.submit(title=f"公園のベンチを直す(連絡 {MASKED_PHONE})", **private,
                            problem=f"ベンチが壊れています。詳しくは {MASKED_PHONE} まで。")
    accept(city, masked)
    ops.review_publication(city.session, masked, ops.Actor.staff(city.parks_liaison),
                           redact=[MASKED_PHONE])
    city.session.commit()
    ruled = accept(city, city.submit(title="公園に噴水をつくる", **private)[0])
    ops.fire_trigger(city.session, ruled, "reject", ops.Actor.staff(city.parks_liaison),
                     {"reason": "予算の見込みが立たないため", "reason_code": "insufficient"})
    city.session.commit()
    named = accept(city, city.submit(title="公園の清掃活動", organization="みどりの会",
                                     publish_name=True, **private)[0])
    roads, _ = city.submit(title="歩道の段差をなくす", category="roads", **private)
    ops.fire_trigger(city.session, roads, "accept", ops.Actor.staff(city.roads_primary))
    city.session.commit()
    formulas = [accept(city, city.submit(title=title, **private)[0]) for title in FORMULAS]
    submitted, _ = city.submit(title="まだ公開されていない提案", **private)
    withheld, _ = city.submit(title="公開を見送った提案", **private,
                              problem=f"連絡は {MASKED_PHONE} まで。")
    accept(city, withheld)
    ops.withhold_publication(city.session, withheld, ops.Actor.staff(city.office_user),
                             reason="個人が特定されるため")
    city.session.commit()
    published = [plain, masked, ruled, named, roads, *formulas]
    assert all(p.is_published for p in published)
    assert not submitted.is_published and not withheld.is_published
    return {"published": published, "unpublished": [submitted, withheld], "plain": plain,
            "masked": masked, "ruled": ruled, "named": named, "roads": roads}


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read Shift_JIS"
    text = data.decode("utf-8")
    assert text.count("\r\n") >= 1 and "\n" not in text.replace("\r\n", "")
    reader = csv.reader(io.StringIO(text[1:], newline=""))
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(header, values, strict=True)) for values in reader]


def json_rows(data: bytes) -> list[dict]:
    rows = json.loads(data.decode("utf-8"))
    assert isinstance(rows, list)
    assert all(tuple(r) == COLUMNS for r in rows)
    return rows


def ids(rows) -> set[int]:
    return {int(r["id"]) for r in rows}


def assert_no_personal_data(data: bytes) -> None:
    text = data.decode("utf-8")
    for secret in SECRETS:
        assert secret not in text, secret


def assert_holds_exactly_the_published(rows, seeded) -> None:
    assert ids(rows) == {p.id for p in seeded["published"]}
    assert not ids(rows) & {p.id for p in seeded["unpublished"]}


# --- the command -------------------------------------------------------------------------


@pytest.fixture
def teian(database_url, tmp_path, monkeypatch):
    """`teian …` against the test database, as a shell would run it."""
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    monkeypatch.setenv("TEIAN_SECRET_KEY", "cli-test")

    def invoke(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return invoke


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_command_writes_every_published_proposal_and_no_personal_data(
        teian, seeded, tmp_path, fmt):
    out = tmp_path / f"open.{fmt}"
    result = teian("export", "--format", fmt, "--out", str(out))
    assert f"wrote {len(seeded['published'])} published proposals" in result.output
    data = out.read_bytes()
    rows = csv_rows(data) if fmt == "csv" else json_rows(data)
    assert_holds_exactly_the_published(rows, seeded)
    assert_no_personal_data(data)
    masked = next(r for r in rows if int(r["id"]) == seeded["masked"].id)
    assert masked["title"].startswith("公園のベンチを直す(連絡 ")  # the mask, not the phone


def test_export_command_writes_to_standard_output(teian, seeded):
    result = teian("export", "--format", "json", "--lang", "en")
    rows = json_rows(result.stdout_bytes)
    assert_holds_exactly_the_published(rows, seeded)
    assert {r["category"] for r in rows} == {"Parks and green", "Roads and traffic"}


def test_export_command_refuses_an_unknown_format(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("TEIAN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TEIAN_DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["export", "--format", "xlsx"])
    assert result.exit_code == 2 and "xlsx" in result.output


# --- the columns -------------------------------------------------------------------------


def test_rows_carry_the_ruling_the_names_and_the_public_proposer_only(city, seeded):
    rows = {r["id"]: r for r in published_rows(city.session, Filters(), "ja")}
    ruled = rows[seeded["ruled"].id]
    assert ruled["ruling_decision"] == "rejected"
    assert ruled["ruling_reason_code"] == "insufficient"
    assert ruled["ruling_reason"] == "予算の見込みが立たないため"
    assert ruled["ruled_at"].endswith("+09:00")
    assert ruled["state_label"] and ruled["state"] == seeded["ruled"].state
    plain = rows[seeded["plain"].id]
    assert plain["receipt"] == seeded["plain"].receipt
    assert (plain["category_code"], plain["category"]) == ("parks", "公園・緑地")
    assert (plain["department_code"], plain["department"]) == ("parks", "公園緑地課")
    assert (plain["district_code"], plain["district"]) == ("city-wide", "市全体")
    assert plain["ruling_decision"] is None and plain["proposer"] is None
    assert plain["supports"] == 0
    assert plain["published_at"].endswith("+09:00")
    assert rows[seeded["named"].id]["proposer"] == "みどりの会"


def test_the_public_copy_is_what_is_exported(city, seeded):
    """The review masked the phone in the title: the row reads the public copy."""
    masked = seeded["masked"]
    rows = {r["id"]: r for r in published_rows(city.session, Filters(), "ja")}
    assert masked.title.endswith(f"{MASKED_PHONE})")  # staff keep the original
    assert rows[masked.id]["title"] == masked.published_text.title
    assert MASKED_PHONE not in rows[masked.id]["title"]


def test_batches_cover_every_row_once(city, seeded):
    rows = list(published_rows(city.session, Filters(), "ja", batch_size=2))
    assert [r["id"] for r in rows] == sorted(p.id for p in seeded["published"])


# --- the downloads on the public list ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_list_downloads_hold_every_published_proposal_and_no_personal_data(
        client, seeded, fmt):
    response = client.get(f"/proposals.{fmt}")
    assert response.status_code == 200
    assert response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == (
        "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8")
    data = response.get_data()
    rows = csv_rows(data) if fmt == "csv" else json_rows(data)
    assert_holds_exactly_the_published(rows, seeded)
    assert_no_personal_data(data)


def test_formula_titles_come_out_inert_in_csv_and_as_written_in_json(client, seeded):
    by_title = {r["title"] for r in csv_rows(client.get("/proposals.csv").get_data())}
    for formula in FORMULAS:
        assert "'" + formula in by_title
        assert formula not in by_title
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in by_title)
    titles = {r["title"] for r in json_rows(client.get("/proposals.json").get_data())}
    assert set(FORMULAS) <= titles


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_downloads_apply_the_list_filters(client, seeded, fmt):
    def got(query: str) -> set[int]:
        data = client.get(f"/proposals.{fmt}?{query}").get_data()
        return ids(csv_rows(data) if fmt == "csv" else json_rows(data))

    assert got("category=roads") == {seeded["roads"].id}
    assert got("department=roads") == {seeded["roads"].id}
    assert got(f"state={seeded['ruled'].state}") == {seeded["ruled"].id}
    assert got("q=噴水") == {seeded["ruled"].id}
    assert got("q=ベンチ") == {seeded["masked"].id}
    assert got("district=d01") == set()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_download_with_a_filter_value_no_list_offers_says_which(client, seeded, fmt):
    response = client.get(f"/proposals.{fmt}?category=nonexistent")
    assert response.status_code == 400
    assert "「テーマ」の選択肢から選んでください。" in response.get_data(as_text=True)


def test_a_download_never_finds_a_proposal_by_its_masked_text(client, seeded):
    data = client.get("/proposals.csv?q=8765").get_data()
    assert csv_rows(data) == []


def test_a_download_with_a_query_too_long_says_so(client, seeded):
    response = client.get("/proposals.csv?q=" + "あ" * 101)
    assert response.status_code == 400
    assert "100" in response.get_data(as_text=True)


def test_the_list_links_its_downloads_with_its_filters_and_the_column_page(client, seeded):
    page = client.get("/proposals?category=roads&q=段差").get_data(as_text=True)
    assert "/proposals.csv?" in page and "/proposals.json?" in page
    assert "category=roads" in page.split("/proposals.csv?")[1].split('"')[0]
    assert "/open-data" in page


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_open_data_page_documents_every_column(client, lang):
    page = client.get(f"/open-data?lang={lang}").get_data(as_text=True)
    for name in COLUMNS:
        assert f"<dt>{name}</dt>" in page
    assert "opendata." not in page  # every message exists in this language
    assert 'href="/proposals.csv"' in page and 'href="/proposals.json"' in page


@pytest.mark.parametrize("lang", ["ja", "ja-easy"])
def test_the_open_data_page_writes_japanese_punctuation_in_full_width(client, lang):
    """（） and ：, not ( ) and :, in Japanese text (a time's 09:00 keeps its colon)."""
    for path in ("/open-data", "/proposals"):
        text = Page(client.get(f"{path}?lang={lang}&ruby=off").get_data(as_text=True)).text
        assert re.findall(r".{0,6}[():].{0,6}", re.sub(r"\d:\d", "", text)) == [], path


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_open_data_page_shows_citizens_no_shell_command(client, lang):
    page = client.get(f"/open-data?lang={lang}").get_data(as_text=True)
    assert "teian export" not in page and "<code>" not in page


# --- the bytes ---------------------------------------------------------------------------


def expected_row(proposal, lang: str) -> dict:
    """A row as the proposal's ORM object and the public shapes say it should read:
    the export reads plain columns instead, and must come out the same."""
    from intake import serializers
    from intake.privacy.public import public_text
    from intake.shapes import iso_datetime, named

    department = named(proposal.lead_department, lang) or {"code": None, "name": None}
    district = serializers.district_ref(proposal.district, lang)
    return {
        "id": proposal.id, "receipt": proposal.receipt, "kind": proposal.kind,
        "title": public_text(proposal).title,
        "problem": public_text(proposal).problem,
        "proposal": public_text(proposal).proposal,
        "expected_effect": public_text(proposal).expected_effect or "",
        "role_split": public_text(proposal).role_split or "",
        "category_code": proposal.category.code, "category": proposal.category.name(lang),
        "department_code": department["code"], "department": department["name"],
        "district_code": district["code"], "district": district["name"],
        "submitted_at": iso_datetime(proposal.submitted_at),
        "published_at": iso_datetime(proposal.published_at),
        "state": proposal.state, "state_label": serializers.state_label(proposal, lang),
        "ruling_decision": proposal.ruling_decision,
        "ruling_reason_code": proposal.ruling_reason_code,
        "ruling_reason": proposal.ruling_reason, "ruled_at": iso_datetime(proposal.ruled_at),
        "supports": proposal.supports_count or 0,
        "proposer": serializers.public_proposer(proposal),
    }


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_csv_is_byte_for_byte_what_the_public_shapes_say(client, city, seeded, lang):
    """The download's exact bytes for a handful of proposals (formulas, a mask, a ruling,
    a group named, another department): the BOM, the header, each cell as the proposal's
    own public shapes give it, CRLF lines."""
    from intake.office import spreadsheet

    published = sorted(seeded["published"], key=lambda p: p.id)
    expected = "".join(spreadsheet.lines(
        COLUMNS, ([expected_row(p, lang)[name] for name in COLUMNS] for p in published)))
    data = client.get(f"/proposals.csv?lang={lang}").get_data()
    assert data == expected.encode("utf-8")
    assert ("Parks and green" in data.decode()) == (lang == "en")
