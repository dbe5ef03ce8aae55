"""The access-control matrix: every route of the URL map (so a new route cannot be
forgotten: one missing from POLICIES fails the test) × every kind of actor, pages and API
alike, object-level checks included.

Actors: anonymous; the proposer (the right tracking token — everyone else tries a wrong
one); the lead department's liaison; another department's liaison; the liaison of a
department asked for an opinion on the proposal; the office; an administrator.

Each request is sent with an empty body: an actor who may use the route gets past the
access checks (any answer but the refusals below — usually 200, or 400/409/422 for the
missing input); one who may not is refused: 401 or 403, 404 for an object they may not
know exists or a wrong token, or a redirect to the staff sign-in page.  ``SUMMARY`` is
printed (routes × actors checked) for SECURITY.md.
"""

from __future__ import annotations

import re

import pytest

from intake.attachments import clean
from intake.attachments.operations import keep_files, publish_attachment
from intake.models import AnswerTemplate, Comment
from tests import ops
from tests.attachment_files import png_photo

from .staff_support import login

ACTORS = ("anonymous", "proposer", "lead", "other", "consulted", "office", "admin")
STAFF = {"lead", "other", "consulted", "office", "admin"}
OFFICE = {"office", "admin"}

# Who gets past the access checks of each endpoint (every method of it).
POLICIES: dict[str, set[str]] = {}


def policy(allowed: set[str], *endpoints: str) -> None:
    for endpoint in endpoints:
        POLICIES[endpoint] = allowed


EVERYONE = set(ACTORS)
policy(EVERYONE,
       "public.index", "public.propose", "public.submitted", "public.proposals",
       "public.proposal", "public.comments", "public.comment", "public.track_lookup",
       "public.supports",
       "api.list_proposals", "api.submit_proposal", "api.get_proposal", "api.add_comment",
       "api.list_categories", "api.list_departments", "api.openapi_json",
       "open311.discovery", "open311.services", "open311.service_definition",
       "open311.list_requests", "open311.one_request", "open311.token",
       "open311.no_such_resource", "reference.api_reference", "static",
       "staff.login", "staff.login_code", "staff.forgot_password")
# Supporting: anyone may ask; the confirmation needs the mailed link's token, which none
# of these actors has (every one gets 404 for a token that is not one).
policy(EVERYONE, "public.support", "api.add_support", "public.open_data",
       "public.proposals_download", "public.privacy", "public.accessibility", "public.contact",
       "public.proposals_feed", "public.proposal_feed")
policy(set(), "public.support_confirm")
# A password link: its mailed token is the key (none of these actors has one).
policy(set(), "staff.password_link")
# The tracking link is the proposer's only key.
policy({"proposer"}, "public.track", "public.track_action", "public.track_action_page",
       "public.track_receipt",
       "api.track_proposal",
       "api.track_transition",
       # their own files, the unpublished one too (concrete() picks it)
       "public.track_attachment", "public.track_attachment_thumbnail")
# A city-issued API key (any member of staff's token).
policy(STAFF, "open311.create_request")
# Any signed-in officer: their own queue, account, help and the shared overviews.
policy(STAFF, "staff.queue", "staff.password", "staff.totp", "staff.logout",
       "staff.workflow_help", "staff.easy_japanese_help", "staff.dashboard", "staff.agenda",
       "staff.agenda_csv",
       "staff.comments", "staff.rulings_csv", "api.queue", "api.agenda", "api.agenda_csv",
       "api.rulings_csv", "api.list_answer_templates", "api.stats",
       # rulings from a spreadsheet: each row is checked against the officer's own rights
       "staff.rulings_import", "staff.rulings_import_check", "staff.rulings_import_apply",
       "api.import_rulings")
# The office's: configuration, triage, the city-wide figures, rulings import.
policy(OFFICE, "staff.admin_index", "staff.admin_list", "staff.admin_create",
       "staff.admin_edit", "staff.admin_remove", "staff.admin_templates",
       "staff.admin_template_create", "staff.admin_template_edit", "staff.admin_routing",
       "staff.admin_rule_create", "staff.admin_rule_edit", "staff.admin_rule_delete",
       "staff.admin_routing_preview", "staff.admin_tokens", "staff.admin_token_create",
       "staff.admin_token_revoke", "staff.admin_users", "staff.admin_user_edit",
       "staff.triage", "staff.route_item", "api.create_answer_template",
       "api.update_answer_template", "api.create_category", "api.update_category",
       "api.create_department", "api.update_department",
       "api.list_routing_rules", "api.create_routing_rule", "api.update_routing_rule",
       "api.delete_routing_rule", "api.routing_preview", "api.list_users", "api.update_user")
# Accounts: roles are the administrators' to give.
policy({"admin"}, "staff.admin_user_create", "api.create_user", "staff.admin_user_invitation",
       "api.resend_user_invitation")
# Seeing the proposal: its lead department, a department asked for an opinion, the office.
policy({"lead", "consulted", "office", "admin"}, "staff.proposal", "api.proposal_detail")
# Acting on it: the lead department and the office.
policy({"lead", "office", "admin"}, "staff.fire", "staff.transfer", "staff.extend_deadline",
       "staff.request_opinion", "staff.record_session", "staff.comment_period",
       "staff.publication", "staff.comment_publish", "staff.comment_hide",
       "staff.waive_opinion", "api.fire_transition", "api.transfer", "api.extend",
       "api.opinions", "api.sessions", "api.comment_period", "api.publication",
       "api.comment_publish", "api.comment_hide", "api.opinion_waive",
       "staff.easy_title", "api.easy_title",
       # (only the office withholds: the operation's finer rule, tested with the review)
       "staff.withhold")
# Attachments: the published one's public address is anyone's; the staff addresses follow
# who sees the proposal; publishing and withholding follow who acts on it.
policy(EVERYONE, "public.attachment", "public.attachment_thumbnail")
policy({"lead", "consulted", "office", "admin"}, "staff.attachment_file",
       "staff.attachment_thumbnail", "api.attachment_file")
policy({"lead", "office", "admin"}, "staff.attachment_publish", "staff.attachment_withhold",
       "api.attachment_publish", "api.attachment_withhold")
# Answering an opinion request: the department asked (and the office).
policy({"consulted", "office", "admin"}, "staff.answer_opinion", "api.opinion_answer")

# Routes that answer everyone alike with a refusal-looking status, by design: the Open311
# catch-all (404 in the spec's error format), the second sign-in step without a first
# (back to the sign-in page), signing out (to the sign-in page).
BY_DESIGN = {"open311.no_such_resource": {404, 405}, "staff.login_code": {302},
             "staff.logout": {302}}

PLACEHOLDER = re.compile(r"<(?:([\w]+)(?:\([^)]*\))?:)?(\w+)>")


@pytest.fixture
def world(app, city):
    """A parks proposal in deliberation with a comment, an opinion asked of welfare."""
    lead = ops.Actor.staff(city.parks_liaison)
    proposal, token = city.submit(title="公園で朝市を開く")
    ops.fire_trigger(city.session, proposal, "accept", lead)
    ops.fire_trigger(city.session, proposal, "open_deliberation", lead)
    # held (a phone number in them): the lead liaison may publish or hide them; one for
    # each door, as publishing through one changes what the other may do
    comment, page_comment = (ops.add_comment(city.session, proposal, name="近所の人",
                                             body=f"ぜひ（{n}）。電話 090-8765-4321 まで。")
                             for n in range(2))
    opinion = ops.request_opinion(city.session, proposal, "welfare", lead,
                                  question="福祉の観点から意見をください。")
    template = AnswerTemplate(code="thanks", trigger="adopt", title_ja="お礼",
                              body_ja="ご提案ありがとうございました。")
    city.session.add(template)
    # a published photo (public routes) and a private one the actors publish and withhold
    storage = app.extensions["teian.attachments"]
    shown, acted_on = keep_files(city.session, proposal, [clean(png_photo(), "a.png"),
                                                          clean(png_photo((20, 20)), "b.png")],
                                 storage)
    publish_attachment(city.session, shown, lead)
    # one rule to read and edit, and one to retire per deleting route and actor
    spare = [city.rule(city.cat_other, city.roads, keyword=f"予備{n}")
             for n in range(1 + 2 * len(ACTORS))]
    city.session.commit()
    admin = city.admin_user
    return {
        "template": template, "rules": spare,
        "proposal": proposal, "token": token, "comment": comment,
        "page_comment": page_comment, "opinion": opinion,
        "attachments": {"shown": shown, "acted_on": acted_on},
        "users": {"lead": city.parks_liaison, "other": city.roads_primary,
                  "consulted": city.welfare_liaison, "office": city.office_user,
                  "admin": admin},
        "tokens": {name: city.token(user) for name, user in {
            "lead": city.parks_liaison, "other": city.roads_primary,
            "consulted": city.welfare_liaison, "office": city.office_user,
            "admin": admin}.items()},
    }


def concrete(rule, world: dict, actor: str) -> str:
    values = {
        "proposal_id": world["proposal"].id, "comment_id": world["comment"].id,
        "request_id": world["opinion"].id, "rule_id": world["rules"][0].id, "token_id": 1,
        "user_id": world["users"]["lead"].id, "code": "parks", "kind": "categories",
        "trigger": "withdraw" if rule.endpoint.startswith("public.track_action") else "adopt",
        "fmt": "json",
        "rest": "nothing-here", "filename": "teian.css",
        "token": world["token"] if actor == "proposer" else "not-the-token",
    }
    if "attachment_id" in rule.rule:
        which = ("shown" if rule.endpoint.startswith("public.")
                 and not rule.endpoint.startswith("public.track") else "acted_on")
        values["attachment_id"] = world["attachments"][which].id
    if "answer-template" in rule.rule:
        values["code"] = world["template"].code
    if rule.endpoint in ("api.delete_routing_rule", "staff.admin_rule_delete"):
        # each deleting route retires a rule of its own for each actor
        offset = 1 if rule.endpoint.startswith("api") else 1 + len(ACTORS)
        values["rule_id"] = world["rules"][offset + ACTORS.index(actor)].id
    if rule.rule.startswith("/staff/proposals/") and "comment_id" in rule.rule:
        values["comment_id"] = world["page_comment"].id
    if rule.endpoint == "open311.one_request":
        values["request_id"] = world["proposal"].id
    if rule.endpoint == "open311.token":
        values["token"] = world["proposal"].receipt
    return PLACEHOLDER.sub(lambda m: str(values[m.group(2)]), rule.rule)


def refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303) and "/staff/login" in location


def send(client, method: str, url: str, headers: dict):
    if url.startswith("/api/"):
        return client.open(url, method=method, headers=headers,
                           json={} if method != "GET" else None)
    data = {"api_key": headers.get("X-Api-Key", "")} if url.startswith("/open311") else {}
    return client.open(url, method=method, data=data if method != "GET" else None)


def test_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - POLICIES.keys() == set(), "routes without an access policy"
    assert POLICIES.keys() - endpoints == set(), "policies for routes that do not exist"


SUMMARY: dict[str, int] = {}


def test_every_route_answers_every_actor_as_its_policy_says(app, world):
    clients = {}
    for actor in ACTORS:
        client = app.test_client()
        if actor in STAFF:
            login(client, world["users"][actor])
        clients[actor] = client
    wrong = []
    checked = 0
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "staff.logout",
                                                            r.rule))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for actor in ACTORS:
                url = concrete(rule, world, actor)
                headers = {}
                if actor in STAFF:
                    headers["Authorization"] = f"Bearer {world['tokens'][actor]}"
                    headers["X-Api-Key"] = world["tokens"][actor]
                response = send(clients[actor], method, url, headers)
                response.get_data()  # read (and so finish) a streamed download
                response.close()
                allowed = actor in POLICIES[rule.endpoint]
                if rule.endpoint in BY_DESIGN:
                    if response.status_code not in BY_DESIGN[rule.endpoint]:
                        wrong.append(f"{method} {url} as {actor}: {response.status_code}")
                elif allowed == refused(response):
                    wrong.append(f"{method} {url} as {actor}: {response.status_code} "
                                 f"({'should pass' if allowed else 'should be refused'})")
                checked += 1
                assert response.status_code < 500, (method, url, actor)
    SUMMARY.update(routes=len(rules), actors=len(ACTORS), checks=checked)
    print(f"access matrix: {len(rules)} routes x {len(ACTORS)} actors, {checked} checks")
    assert wrong == [], "\n".join(wrong)


def test_a_hidden_comment_cannot_be_published_by_another_department(app, world, db):
    """Object level inside a route: the comment must belong to the proposal in the URL."""
    client = app.test_client()
    login(client, world["users"]["other"])
    answer = client.post(f"/staff/proposals/{world['proposal'].id}/comments/"
                         f"{world['comment'].id}/publish")
    assert answer.status_code in (403, 404)
    db.expire_all()
    assert db.get(Comment, world["comment"].id) is not None
