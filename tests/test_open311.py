"""Open311 GeoReport v2 under /open311/v2, through third-party clients from PyPI over
real HTTP: ``georeport`` reads services, definitions and requests in JSON and XML; the
old ``open311`` package (with a test-only Python 3 shim, ``tests/open311_client.py``)
posts.  The error cases answer the spec's status and body in both formats, and only the
public text of published proposals ever leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import xmltodict
from georeport import GeoReport
from sqlalchemy import select

from intake.models import OutboxMessage, Proposal, utcnow
from tests import ops

from .open311_client import open311_class
from .test_browser import live_server  # noqa: F401  (the app over real HTTP)

FORMATS = ("json", "xml")
PHONE = "090-8765-4321"


@pytest.fixture
def endpoint(live_server) -> str:  # noqa: F811
    return f"{live_server}/open311/v2"


@pytest.fixture
def api_key(city) -> str:
    return city.token(city.office_user)


def accept(city, proposal):
    ops.fire_trigger(city.session, proposal, "accept", ops.Actor.staff(city.parks_liaison))
    city.session.commit()
    return proposal


@pytest.fixture
def published(city):
    """Two published parks proposals (one with a phone number masked in its public
    copy), one rejected, and one not published at all."""
    plain = accept(city, city.submit(title="公園に花壇をつくる")[0])
    masked, _ = city.submit(title="公園のベンチを直す",
                            problem=f"ベンチが壊れています。詳しくは {PHONE} まで。")
    accept(city, masked)
    ops.review_publication(city.session, masked, ops.Actor.staff(city.parks_liaison),
                           redact=[PHONE])
    city.session.commit()
    ruled = accept(city, city.submit(title="公園に噴水をつくる")[0])
    ops.fire_trigger(city.session, ruled, "reject", ops.Actor.staff(city.parks_liaison),
                     {"reason": "予算の見込みが立たないため", "reason_code": "insufficient"})
    city.session.commit()
    hidden, _ = city.submit(title="まだ公開されていない提案")
    return {"plain": plain, "masked": masked, "ruled": ruled, "hidden": hidden}


def parsed(response: requests.Response, fmt: str):
    return response.json() if fmt == "json" else xmltodict.parse(response.content)


# --- reading with georeport ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_georeport_reads_services_and_their_definitions(endpoint, city, fmt):
    client = GeoReport(endpoint, output_format=fmt)
    services = client.get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"parks", "roads", "welfare", "other"}
    assert by_code["parks"]["service_name"] == "公園・緑地"
    assert str(by_code["parks"]["metadata"]).lower() == "true"
    assert by_code["parks"]["type"] == "realtime"

    definition = client.get_service_definition("parks")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    codes = [a["code"] for a in attributes]
    # The unified form's fields that Open311 lacks, and none it has itself.
    for code in ("title", "proposal", "proposer_type", "consent", "kind", "district"):
        assert code in codes
    assert not {"category", "problem", "email", "phone"} & set(codes)
    title = next(a for a in attributes if a["code"] == "title")
    assert (str(title["required"]).lower(), title["datatype"]) == ("true", "string")
    assert [str(a["order"]) for a in attributes] == [str(i) for i in range(1, len(codes) + 1)]
    kinds = next(a for a in attributes if a["code"] == "proposer_type")
    values = kinds["values"] if fmt == "json" else kinds["values"]["value"]
    assert kinds["datatype"] == "singlevaluelist"
    assert {"individual", "npo"} <= {v["key"] for v in values}


@pytest.mark.parametrize("fmt", FORMATS)
def test_georeport_reads_published_requests_with_public_text_only(endpoint, published, fmt):
    client = GeoReport(endpoint, output_format=fmt)
    items = client.get_service_requests()
    if isinstance(items, dict):  # xmltodict: one <request> is a dict, several a list
        items = [items]
    ids = {item["service_request_id"] for item in items}
    expected = {str(published[k].id) for k in ("plain", "masked", "ruled")}
    assert ids == expected  # the unpublished one is not there
    masked = client.get_service_request(str(published["masked"].id))
    assert PHONE not in masked["description"] and "●●●" in masked["description"]
    assert masked["status"] == "open"
    assert masked["agency_responsible"] == "公園緑地課"
    assert masked["requested_datetime"].endswith("+09:00")

    ruled = client.get_service_request(str(published["ruled"].id))
    assert ruled["status"] == "closed"
    assert "予算の見込みが立たないため" in ruled["status_notes"]
    assert ruled["status_notes"].startswith("不採択")
    assert ruled["service_code"] == "parks"


# The keys of the spec's own examples (wiki.open311.org/GeoReport_v2), in its order.
SPEC_SERVICE_KEYS = ["service_code", "service_name", "description", "metadata", "type",
                     "keywords", "group"]
SPEC_REQUEST_KEYS = ["service_request_id", "status", "status_notes", "service_name",
                     "service_code", "description", "agency_responsible", "service_notice",
                     "requested_datetime", "updated_datetime", "expected_datetime", "address",
                     "address_id", "zipcode", "lat", "long", "media_url"]
SPEC_ATTRIBUTE_KEYS = ["variable", "code", "datatype", "required", "datatype_description",
                       "order", "description"]


def test_shapes_match_the_specs_examples(endpoint, published):
    services = requests.get(f"{endpoint}/services.json").json()
    assert all(list(s) == SPEC_SERVICE_KEYS for s in services)
    definition = requests.get(f"{endpoint}/services/parks.json").json()
    assert list(definition) == ["service_code", "attributes"]
    assert all(list(a)[:7] == SPEC_ATTRIBUTE_KEYS for a in definition["attributes"])
    items = requests.get(f"{endpoint}/requests.json").json()
    assert all(list(item) == SPEC_REQUEST_KEYS for item in items)
    assert all(isinstance(item["service_request_id"], str) for item in items)
    xml = requests.get(f"{endpoint}/requests.xml")
    assert xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert xml.headers["Content-Type"] == "text/xml; charset=utf-8"
    records = xmltodict.parse(xml.content)["service_requests"]["request"]
    assert all(list(r) == SPEC_REQUEST_KEYS for r in records)


def test_request_filters_follow_the_spec(endpoint, published):
    plain, ruled = published["plain"], published["ruled"]
    get = lambda **params: requests.get(f"{endpoint}/requests.json", params=params)  # noqa: E731
    ids = lambda response: {r["service_request_id"] for r in response.json()}  # noqa: E731

    assert ids(get(service_request_id=f"{plain.id},{ruled.id}")) == {str(plain.id),
                                                                      str(ruled.id)}
    assert ids(get(status="closed")) == {str(ruled.id)}
    assert str(ruled.id) not in ids(get(status="open"))
    assert ids(get(service_code="roads")) == set()
    # An empty parameter counts as absent.
    assert len(ids(get(service_code="", status="", jurisdiction_id=""))) == 3
    later = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(get(start_date=later)) == set()
    old = (utcnow() - timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    refused = get(start_date=old, end_date=later)
    assert refused.status_code == 400
    assert "90" in refused.json()[0]["description"]
    assert get(start_date="yesterday").status_code == 400
    # The window's other end would be before the year 1 or after 9999: refused, not a 500.
    for edge in ({"start_date": "9999-12-31T23:59:59Z"}, {"end_date": "0001-01-01T00:00:00Z"},
                 {"start_date": "0001-01-01T00:00:00+09:00"}):
        refused = get(**edge)
        assert refused.status_code == 400, refused.text
        [error] = refused.json()
        assert error["description"].startswith(next(iter(edge)))


def test_a_receipt_number_is_the_token(endpoint, published):
    plain = published["plain"]
    answer = requests.get(f"{endpoint}/tokens/{plain.receipt}.json")
    assert answer.json() == [{"service_request_id": str(plain.id), "token": plain.receipt}]
    assert requests.get(f"{endpoint}/tokens/T-2026-999999.json").status_code == 404
    _t, year, _n = plain.receipt.split("-")
    short = requests.get(f"{endpoint}/tokens/t-{year}-{plain.id}.json")  # no leading zeros
    assert short.json() == [{"service_request_id": str(plain.id), "token": plain.receipt}]


def test_discovery_names_the_endpoint_and_both_formats(endpoint):
    document = requests.get(f"{endpoint}/discovery.json").json()
    (entry,) = document["endpoints"]
    assert entry["url"] == endpoint
    assert entry["formats"] == ["text/xml", "application/json"]
    xml = xmltodict.parse(requests.get(f"{endpoint}/discovery.xml").content)
    assert xml["discovery"]["endpoints"]["endpoint"]["formats"]["format"] == entry["formats"]


# --- posting with the old open311 client --------------------------------------------------


def attributes(**overrides) -> dict[str, str]:
    fields = {
        "title": "公園に水飲み場をつくる提案",
        "proposal": "公園の入口に水飲み場を設け、町内会が清掃を受け持つことを提案します。",
        "proposer_type": "individual",
        "consent": "true",
    }
    fields.update(overrides)
    return {f"attribute[{code}]": value for code, value in fields.items() if value is not None}


def post_fields(**overrides) -> dict[str, str]:
    return {
        "service_code": "parks",
        "description": "夏の公園には水を飲める場所がなく、子どもたちが困っています。",
        "first_name": "花子",
        "last_name": "山田",
        "email": "hanako@example.jp",
        **attributes(**overrides),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_open311_client_posts_a_proposal(endpoint, api_key, city, db, fmt):
    client = open311_class()(endpoint=endpoint, api_key=api_key, format=fmt)
    answer = client.post_service_request(**post_fields())
    record = answer[0] if fmt == "json" else answer["service_requests"]["request"]
    db.rollback()
    stored = db.execute(select(Proposal)).scalar_one()
    assert record["service_request_id"] == str(stored.id)
    assert stored.receipt in record["service_notice"]
    assert "公園緑地課" in record["service_notice"]
    assert stored.title == "公園に水飲み場をつくる提案"
    assert stored.problem.startswith("夏の公園には")
    assert stored.contact.name == "山田 花子"  # family name first, as written in Japan
    assert stored.lead_department.code == "parks"
    receipt = db.execute(select(OutboxMessage).where(OutboxMessage.kind == "receipt")).scalar_one()
    assert receipt.recipient == "hanako@example.jp"


# --- errors, in both formats ------------------------------------------------------------------


def error_body(response: requests.Response, fmt: str) -> list[dict]:
    if fmt == "json":
        return response.json()
    entries = xmltodict.parse(response.content)["errors"]["error"]
    return entries if isinstance(entries, list) else [entries]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_error_answers_the_specs_status_and_body(endpoint, api_key, published, db, fmt):
    post = lambda data, **params: requests.post(f"{endpoint}/requests.{fmt}",  # noqa: E731
                                                data=data, params=params)
    cases = [
        (post(post_fields()), 403, "api_key"),  # missing
        (post({**post_fields(), "api_key": "not-a-key"}), 403, "api_key"),  # invalid
        (post({**post_fields(), "api_key": api_key, "service_code": "nope"}), 400,
         "service_code"),
        (post({**post_fields(title=None), "api_key": api_key}), 400, "attribute[title]"),
        (post({**post_fields(proposer_type="alien"), "api_key": api_key}), 400,
         "attribute[proposer_type]"),
        (post({**post_fields(consent="false"), "api_key": api_key}), 400, "attribute[consent]"),
        (post({**post_fields(consent="maybe", publish_name="maybe"), "api_key": api_key}),
         400, "attribute[publish_name]"),
        (post({**post_fields(), "attribute[colour]": "red", "api_key": api_key}), 400,
         "attribute[colour]"),
        (requests.get(f"{endpoint}/services/nope.{fmt}"), 404, "nope"),
        (requests.get(f"{endpoint}/requests/999999.{fmt}"), 404, "999999"),
        (requests.get(f"{endpoint}/requests/abc.{fmt}"), 404, "abc"),
        (requests.get(f"{endpoint}/no-such-thing.{fmt}"), 404, ""),
    ]
    for response, status, named in cases:
        assert response.status_code == status, (named, response.text)
        body = error_body(response, fmt)
        assert body and all(str(entry["code"]) == str(status) for entry in body)
        assert any(named in entry["description"] for entry in body), (named, body)
        expected = "application/json" if fmt == "json" else "text/xml"
        assert response.headers["Content-Type"].startswith(expected)
    db.rollback()
    assert db.execute(select(Proposal).where(Proposal.title == "公園に水飲み場をつくる提案")
                      ).first() is None  # nothing half-written


def test_the_api_key_may_come_in_the_query_string(endpoint, api_key, db):
    answer = requests.post(f"{endpoint}/requests.json", params={"api_key": api_key},
                           data=post_fields())
    assert answer.status_code == 201, answer.text


def test_a_nul_character_is_refused_not_stored(endpoint, api_key):
    answer = requests.post(f"{endpoint}/requests.xml",
                           data={**post_fields(), "description": "a\x00b", "api_key": api_key})
    assert answer.status_code == 400
    assert xmltodict.parse(answer.content)["errors"]["error"]["code"] == "400"


def test_the_api_reference_page_is_served_from_the_package(client):
    page = client.get("/developers/api")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/vendor/redoc/redoc.standalone.js" in html
    assert 'spec-url="/api/v1/openapi.json"' in html
    assert "<script>" not in html and "cdn" not in html.lower()
    script = client.get("/static/vendor/redoc/redoc.standalone.js")
    assert script.status_code == 200 and len(script.data) > 500_000


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_client_follows_what_it_sent_before_it_is_published(endpoint, published, fmt):
    """Its status, service, department and dates; none of its text, which nobody has
    reviewed for personal data yet."""
    hidden = published["hidden"]
    for url in (f"{endpoint}/requests/{hidden.id}.{fmt}",
                f"{endpoint}/requests.{fmt}?service_request_id={hidden.id}"):
        response = requests.get(url)
        assert response.status_code == 200, response.text
        body = parsed(response, fmt)
        record = body[0] if fmt == "json" else body["service_requests"]["request"]
        assert record["service_request_id"] == str(hidden.id)
        assert record["status"] == "open"
        assert record["status_notes"] == "受付（まだ公開していないため、内容は表示していません）"
        assert record["service_code"] == "parks" and record["agency_responsible"]
        assert not record["description"] and not record["media_url"]
        assert "まだ公開されていない提案" not in response.text
    # The window's list is of published requests only.
    listed = requests.get(f"{endpoint}/requests.json").json()
    assert str(hidden.id) not in [r["service_request_id"] for r in listed]
