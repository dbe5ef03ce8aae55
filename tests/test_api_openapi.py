"""/api/v1/openapi.json describes every route, and the shapes it names are the shapes
the API answers (so the description and the serializers cannot drift apart)."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from forms.proposal import ProposalForm

from .api_support import API, advance, bearer, submit


def _doc(client) -> dict:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _refs(value):
    if isinstance(value, dict):
        if "$ref" in value:
            yield value["$ref"]
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def test_every_api_route_is_described_and_nothing_else(app, client):
    doc = _doc(client)
    assert doc["openapi"].startswith("3.1")
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:[^:>]+:)?[^>]+>", "{}", rule.rule.removeprefix(API))
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    described = {
        (re.sub(r"\{[^}]+\}", "{}", path), method)
        for path, item in doc["paths"].items()
        for method in item if method != "parameters"
    }
    assert described == routes


def test_every_reference_resolves(client):
    doc = _doc(client)
    schemas = doc["components"]["schemas"]
    for ref in set(_refs(doc)):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in schemas, ref


def test_submission_schema_is_the_proposal_form(app, client, city):
    schema = _doc(client)["components"]["schemas"]["ProposalSubmission"]
    form = ProposalForm(MultiDict(), lang="en", categories=[("parks", "Parks")])
    # files travel only in the multipart body, which adds them to the same fields
    assert set(schema["properties"]) == {field.name for field in form} - {"attachments"}
    multipart = _doc(client)["components"]["schemas"]["ProposalSubmissionMultipart"]
    assert multipart["allOf"] == [{"$ref": "#/components/schemas/ProposalSubmission"}]
    assert multipart["properties"]["attachments"]["maxItems"] == 5
    assert {"title", "category", "problem", "proposal", "proposer_type", "proposer_name",
            "consent"} == set(schema["required"])
    title = schema["properties"]["title"]
    assert (title["minLength"], title["maxLength"]) == (5, 80)
    assert schema["properties"]["expected_effect"]["maxLength"] == 2000
    assert schema["properties"]["budget_total"]["type"] == "integer"
    assert schema["properties"]["consent"] == {"type": "boolean", "const": True,
                                               "title": form.consent.label.text}
    assert set(schema["properties"]["category"]["enum"]) == {"parks", "roads", "welfare",
                                                             "other"}
    assert "individual" in schema["properties"]["proposer_type"]["enum"]


def test_comment_schema_is_the_comment_form(client):
    schema = _doc(client)["components"]["schemas"]["CommentRequest"]
    assert schema["required"] == ["body"]
    assert schema["properties"]["name"]["maxLength"] == 100
    body = schema["properties"]["body"]
    assert (body["minLength"], body["maxLength"]) == (1, 2000)


def test_support_schema_is_the_support_form_and_its_answer_is_described(city, client):
    doc = _doc(client)
    schema = doc["components"]["schemas"]["SupportRequest"]
    assert schema["required"] == ["email"]
    assert schema["properties"]["email"]["format"] == "email"
    assert schema["properties"]["name"]["maxLength"] == 100
    operation = doc["paths"]["/proposals/{id}/supports"]["post"]
    assert {"202", "404", "409", "422", "429"} <= set(operation["responses"])
    assert "supports" in _required(doc, "PublicProposal")
    assert "supports" in _required(doc, "ProposalSummary")
    answer = submit(client)
    advance(client, city.token(city.office_user), answer["id"], "accept")
    accepted = client.post(f"{API}/proposals/{answer['id']}/supports",
                           json={"email": "someone@example.jp"})
    assert accepted.status_code == 202
    assert set(accepted.get_json()) == _required(doc, "SupportAccepted")


def test_staff_operations_require_the_bearer_scheme(client):
    doc = _doc(client)
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/queue"]["get"]["security"] == [{"bearer": []}]
    assert "401" in doc["paths"]["/proposals/{id}/transitions"]["post"]["responses"]
    assert doc["paths"]["/proposals"]["get"]["security"] == []


def _required(doc, name: str) -> set[str]:
    return set(doc["components"]["schemas"][name]["required"])


def test_answers_have_the_described_shapes(city, client):
    doc = _doc(client)
    answer = submit(client)
    assert set(answer) == _required(doc, "SubmitResult")
    office = city.token(city.office_user)
    advance(client, office, answer["id"], "accept")

    public = client.get(f"{API}/proposals/{answer['id']}").get_json()
    assert set(public) == _required(doc, "PublicProposal")
    listed = client.get(f"{API}/proposals").get_json()
    assert set(listed) == _required(doc, "ProposalList")
    assert set(listed["items"][0]) == _required(doc, "ProposalSummary")
    tracked = client.get(f"{API}/track/{answer['tracking_token']}").get_json()
    assert set(tracked) == _required(doc, "TrackedProposal")
    queue = client.get(f"{API}/queue", headers=bearer(office)).get_json()
    assert set(queue["items"][0]) == _required(doc, "QueueItem")
    detail = client.get(f"{API}/proposals/{answer['id']}/detail",
                        headers=bearer(office)).get_json()
    assert set(detail) == _required(doc, "StaffDetail")
    assert set(detail["timeline"][0]) - {"actor"} == _required(doc, "TimelineEntry")
    stats = client.get(f"{API}/stats", headers=bearer(office)).get_json()
    assert set(stats) == _required(doc, "Stats")
    categories = client.get(f"{API}/categories").get_json()
    assert set(categories) == _required(doc, "NamedList")
    opinion = client.post(f"{API}/proposals/{answer['id']}/opinions", headers=bearer(office),
                          json={"department": "roads", "question": "歩道の幅は足りますか",
                                "due_in_days": 5, "version": detail["version"]})
    assert opinion.status_code == 201, opinion.get_json()
    assert set(opinion.get_json()) == _required(doc, "Opinion")
    # the version it answers is the one the next action must send
    assert opinion.get_json()["proposal_version"] == client.get(
        f"{API}/proposals/{answer['id']}/detail", headers=bearer(office)).get_json()["version"]
    advance(client, office, answer["id"], "open_deliberation")
    comment = client.post(f"{API}/proposals/{answer['id']}/comments",
                          json={"name": "近所の人", "body": "賛成です。"})
    assert comment.status_code == 201, comment.get_json()
    assert set(comment.get_json()) == _required(doc, "CommentReceipt")


def test_every_request_and_answer_body_is_described(client):
    """Every operation that takes a body says its schema; every success that answers one
    (all but 204) says its schema: nobody has to guess a shape."""
    missing = []
    for path, item in _doc(client)["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            if method in ("post", "patch", "put") and "requestBody" not in op:
                missing.append(f"{method} {path}: request body")
            for status, answer in op["responses"].items():
                if status.startswith("2") and status != "204" and "content" not in answer:
                    missing.append(f"{method} {path}: {status} answer")
    assert missing == []
