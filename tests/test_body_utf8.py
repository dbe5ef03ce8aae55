"""A form body that is not UTF-8 — raw bytes such as 0xFF, or a percent-escape such as
``%FF%FE`` — is refused by every door with its own 400 naming the rule (intake.body_text),
never read as an empty form (Open311 answered a misleading 403: no api_key found), never
stored as ``%FF%FE`` or U+FFFD text; nothing is stored."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import xmltodict

from .factories import VALID_FORM
from .staff_support import login
from .test_hostile_input import stored

NOT_UTF8 = "リクエスト本文がUTF-8の文字として読めません。UTF-8で符号化して送信してください。"
# Two ways a urlencoded body is not UTF-8: escaped bytes, and the raw bytes themselves.
BAD_VALUES = {"escaped": b"%FF%FE", "raw": b"\xff\xfe"}


def open311_fields(key: str) -> dict[str, str]:
    return {"service_code": "parks", "description": VALID_FORM["problem"],
            "first_name": "花子", "last_name": "山田", "email": "hanako@example.jp",
            "attribute[title]": VALID_FORM["title"],
            "attribute[proposal]": VALID_FORM["proposal"],
            "attribute[proposer_type]": "individual", "attribute[consent]": "true",
            "api_key": key}


def multipart(fields: dict[str, bytes]) -> bytes:
    parts = [b"--B\r\nContent-Disposition: form-data; name=\"" + name.encode() + b"\"\r\n\r\n"
             + value + b"\r\n" for name, value in fields.items()]
    return b"".join(parts) + b"--B--\r\n"


@pytest.mark.parametrize("how", BAD_VALUES)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_answers_400_in_its_format_when_the_body_is_not_utf8(app, city, db, fmt, how):
    before = stored(db)
    # The bad value comes last, so the api_key and every other field are readable text.
    fields = {k: v for k, v in open311_fields(city.token(city.office_user)).items()
              if k != "description"}
    body = urlencode(fields).encode() + b"&description=" + BAD_VALUES[how]
    answer = app.test_client().post(f"/open311/v2/requests.{fmt}", data=body,
                                    content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    if fmt == "json":
        assert answer.json == [{"code": 400, "description": NOT_UTF8}]
    else:
        error = xmltodict.parse(answer.data)["errors"]["error"]
        assert error == {"code": "400", "description": NOT_UTF8}
    assert stored(db) == before


def test_open311_still_takes_the_same_request_in_utf8(app, city, db):
    before = stored(db)
    answer = app.test_client().post("/open311/v2/requests.json",
                                    data=open311_fields(city.token(city.office_user)))
    assert answer.status_code == 201
    assert stored(db)[0] == before[0] + 1


def test_the_api_names_the_rule_for_json_and_multipart_bodies(app, city, db):
    before = stored(db)
    client = app.test_client()
    answer = client.post("/api/v1/proposals", data=b'{"title": "\xff\xfe"}',
                         content_type="application/json")
    assert answer.status_code == 400
    assert answer.json["error"] == {"code": "not_utf8", "message": NOT_UTF8}
    body = multipart({"title": VALID_FORM["title"].encode(), "problem": b"\xff\xfe"})
    answer = client.post("/api/v1/proposals", data=body,
                         content_type="multipart/form-data; boundary=B")
    assert answer.status_code == 400
    assert answer.json["error"]["code"] == "not_utf8"
    assert stored(db) == before


@pytest.mark.parametrize("csrf", [False, True])
@pytest.mark.parametrize("how", BAD_VALUES)
def test_the_web_form_shows_itself_again_naming_the_rule(app, city, db, how, csrf):
    """With CSRF on (as in production) the token is in the body nobody could read: the
    page still says what is wrong, not that the session expired."""
    app.config["WTF_CSRF_ENABLED"] = csrf
    before = stored(db)
    body = urlencode({"title": VALID_FORM["title"]}).encode() + b"&problem=" + BAD_VALUES[how]
    answer = app.test_client().post("/propose", data=body,
                                    content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "UTF-8ではありません" in page
    assert 'name="title"' in page  # the form, to fill in again
    assert stored(db) == before


def test_a_multipart_web_form_that_is_not_utf8_is_refused_too(app, city, db):
    before = stored(db)
    body = multipart({"title": VALID_FORM["title"].encode(), "problem": b"ab\xffcd"})
    answer = app.test_client().post("/propose", data=body,
                                    content_type="multipart/form-data; boundary=B")
    assert answer.status_code == 400
    assert "UTF-8ではありません" in answer.get_data(as_text=True)
    assert stored(db) == before


STAFF_NOT_UTF8 = "UTF-8ではありません"
CSRF_EXPIRED = "画面の有効期限が切れました"


@pytest.mark.parametrize("csrf", [False, True])
def test_the_sign_in_page_names_the_rule_not_an_expired_form(app, city, db, csrf):
    """The sign-in page's token is in the body nobody could read: the page says the body
    is not UTF-8 (as the public form does), not that the page expired; no wrong password
    is counted against the account."""
    app.config["WTF_CSRF_ENABLED"] = csrf
    body = b"email=parks%40city.test&password=" + b"\xff" * 12
    answer = app.test_client().post("/staff/login", data=body,
                                    content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert STAFF_NOT_UTF8 in page and CSRF_EXPIRED not in page
    db.expire_all()
    assert db.get(type(city.parks_liaison), city.parks_liaison.id).failed_logins == 0


@pytest.mark.parametrize("csrf", [False, True])
def test_a_staff_action_page_names_the_rule_and_changes_nothing(app, city, db, csrf):
    proposal, _token = city.submit(title="公園にベンチを")
    client = app.test_client()
    assert login(client, city.parks_liaison).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = csrf
    before, state = stored(db), proposal.state
    body = (urlencode({"accept-version": proposal.version}).encode()
            + b"&accept-reason=" + b"\xff\xfe")
    answer = client.post(f"/staff/proposals/{proposal.id}/transitions/accept", data=body,
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert STAFF_NOT_UTF8 in page and CSRF_EXPIRED not in page
    assert stored(db) == before
    db.refresh(proposal)
    assert proposal.state == state


def test_a_staff_form_in_utf8_with_a_bad_token_is_still_told_it_expired(app, city):
    """Only the unreadable body changes the message: a readable one with no token is the
    expired form it always was."""
    app.config["WTF_CSRF_ENABLED"] = True
    answer = app.test_client().post("/staff/login", data={"email": "parks@city.test",
                                                          "password": "x"})
    assert answer.status_code == 400
    assert CSRF_EXPIRED in answer.get_data(as_text=True)
