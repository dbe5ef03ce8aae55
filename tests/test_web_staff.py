"""The staff pages: login, queues, the proposal page and its actions, the workflow help.

Through the test client as an officer would use them; assertions read status codes, the page
and the database rows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import workflows
from forms import actions as action_forms
from forms import staff as staff_forms
from intake import create_app
from intake.dates import people_date, people_datetime
from intake.i18n import catalogue, translate
from intake.models import DeliberationSession, OpinionRequest
from tests import ops as operations
from workflows.calendar import today_jst

from .factories import PASSWORD
from .staff_support import (
    advanced,
    events_of,
    fire,
    ja,
    login,
    page,
    post_action,
    reload,
)
from .workflow_support import FUTURE_YEAR, lead

JA = "ja"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def mixed(city):
    """Proposals for parks (2), roads (1) and nobody (category "other": triage)."""
    return {
        "parks1": city.submit(title="公園のベンチを増やす")[0],
        "parks2": city.submit(title="公園に時計を設置する")[0],
        "roads": city.submit(title="通学路に歩道をつくる", category="roads")[0],
        "triage": city.submit(title="図書館の開館時間を延ばす", category="other")[0],
    }


# --- login --------------------------------------------------------------------------------


def test_login_signs_in_and_shows_the_queue(client, city):
    response = login(client, city.parks_liaison)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    queue = client.get("/staff/")
    assert queue.status_code == 200
    assert city.parks_liaison.display_name in page(queue)
    assert "公園緑地課" in page(queue)  # the nav names the user's department


@pytest.mark.parametrize("email, password", [
    ("parks@city.test", "wrong password"),
    ("nobody@city.test", PASSWORD),
])
def test_wrong_credentials_give_one_generic_message_and_no_session(client, city, email,
                                                                   password):
    response = client.post("/staff/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert ja("staff.login.failed") in page(response)
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/staff/",
    "/\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
])
def test_next_to_another_site_is_ignored(client, city, target):
    response = login(client, city.parks_liaison, next=target)
    assert response.headers["Location"] == "/staff/"


def test_next_to_a_local_page_is_followed(client, city):
    response = login(client, city.parks_liaison, next="/staff/help/workflow")
    assert response.headers["Location"] == "/staff/help/workflow"


def test_unauthenticated_pages_redirect_to_login_with_next(client, city):
    proposal, _ = city.submit()
    for path in ("/staff/", f"/staff/proposals/{proposal.id}", "/staff/help/workflow"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")
    assert client.get("/staff/").headers["Location"] == "/staff/login?next=/staff/"
    refused = post_action(client, proposal, "accept")
    assert refused.status_code == 302
    assert reload(city.session, proposal).state == "submitted"


def test_logout_ends_the_session(client, city):
    login(client, city.parks_liaison)
    response = client.post("/staff/logout")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_login_is_rate_limited(database_url, tmp_path):
    app = create_app({
        "instance_path": tmp_path, "database_url": database_url, "secret_key": "s",
        "base_url": "http://teian.test", "smtp_url": "",
        "flask": {"TESTING": True, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True},
    })
    try:
        client = app.test_client()
        statuses = [
            client.post("/staff/login", data={"email": "x@city.test", "password": "x"})
            .status_code
            for _ in range(11)
        ]
        assert statuses[:10] == [200] * 10
        assert statuses[10] == 429
        assert translate("staff.error.too_many", JA) in page(
            client.post("/staff/login", data={"email": "x@city.test", "password": "x"}))
    finally:
        app.extensions["teian.engine"].dispose()


def test_forms_carry_csrf_tokens_and_posts_without_one_are_refused(database_url, tmp_path,
                                                                    city):
    app = create_app({
        "instance_path": tmp_path, "database_url": database_url, "secret_key": "s",
        "base_url": "http://teian.test", "smtp_url": "",
        "flask": {"TESTING": True, "RATELIMIT_ENABLED": False},
    })
    try:
        client = app.test_client()
        form = page(client.get("/staff/login"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        refused = client.post("/staff/login",
                              data={"email": "parks@city.test", "password": PASSWORD})
        assert refused.status_code == 400
        assert translate("error.csrf", JA) in page(refused)
        accepted = client.post("/staff/login", data={
            "email": "parks@city.test", "password": PASSWORD, "csrf_token": token})
        assert accepted.status_code == 302
    finally:
        app.extensions["teian.engine"].dispose()


# --- the queue ----------------------------------------------------------------------------


def test_a_liaison_sees_only_their_departments_proposals(client, city, mixed):
    login(client, city.parks_liaison)
    text = page(client.get("/staff/"))
    assert "公園のベンチを増やす" in text and "公園に時計を設置する" in text
    assert "通学路に歩道をつくる" not in text
    assert "図書館の開館時間を延ばす" not in text
    # a liaison cannot widen the queue with the department filter
    assert "通学路に歩道をつくる" not in page(client.get("/staff/?department=roads"))


def test_the_office_sees_every_department_and_can_filter_triage(client, city, mixed):
    login(client, city.office_user)
    text = page(client.get("/staff/"))
    for proposal in mixed.values():
        assert proposal.title in text
    triage = page(client.get("/staff/?department=triage"))
    assert "図書館の開館時間を延ばす" in triage
    assert "公園のベンチを増やす" not in triage and "通学路に歩道をつくる" not in triage
    assert ja("staff.triage") in triage  # the department column of an unrouted proposal


def test_the_queue_filters_by_state_with_the_workflow_labels(client, city, mixed):
    fire(city, mixed["parks1"], "accept", city.parks_liaison)
    login(client, city.parks_liaison)
    text = page(client.get("/staff/?state=in_review"))
    assert "公園のベンチを増やす" in text and "公園に時計を設置する" not in text
    assert '<option selected value="in_review">検討中</option>' in text


def test_the_queue_shows_columns_and_overdue_first(client, city, mixed):
    late = mixed["parks1"]
    late.due_on = datetime(2000, 1, 4, tzinfo=UTC).date()
    city.session.commit()
    login(client, city.parks_liaison)
    text = page(client.get("/staff/"))
    assert text.index("公園のベンチを増やす") < text.index("公園に時計を設置する")
    assert ja("staff.overdue") in text
    assert late.receipt in text and "2000年1月4日（火）" in text
    assert city.parks_liaison.display_name in text  # assignee


def test_the_queue_pages_by_cursor(client, city, mixed):
    login(client, city.office_user)
    first = page(client.get("/staff/?limit=3"))
    next_link = re.search(r'<a [^>]*href="([^"]+)" rel="next">', first).group(1)
    next_link = next_link.replace("&amp;", "&")
    second = page(client.get(next_link))
    titles = [p.title for p in mixed.values()]
    assert sum(t in first for t in titles) == 3
    assert sum(t in second for t in titles) == 1
    assert 'rel="next"' not in second


@pytest.mark.parametrize("query", ["cursor=not-a-cursor", "cursor=WzFd", "limit=0", "limit=x"])
def test_a_broken_cursor_or_limit_is_a_400_page(client, city, query):
    login(client, city.office_user)
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 400
    assert ja("staff.error.bad_list") in page(response)


@pytest.mark.parametrize(("query", "label"), [
    ("state=nonsense", "staff.field.state"), ("department=nonsense", "staff.field.department"),
    ("category=nonsense", "staff.field.category"), ("district=nonsense", "staff.field.district"),
])
def test_a_filter_value_the_form_does_not_offer_is_named(client, city, query, label):
    login(client, city.office_user)
    response = client.get(f"/staff/?{query}")
    assert response.status_code == 400
    assert f"「{ja(label)}」の選択肢から選んでください。" in page(response)


def test_a_deputy_takes_proposals_while_the_primary_is_absent(client, city):
    city.roads_primary.absent = True
    city.session.commit()
    proposal, _ = city.submit(category="roads", title="横断歩道を塗り直す")
    assert proposal.assignee_id == city.roads_deputy.id
    login(client, city.roads_deputy)
    assert "横断歩道を塗り直す" in page(client.get("/staff/"))
    detail = client.get(f"/staff/proposals/{proposal.id}")
    assert detail.status_code == 200
    assert city.roads_deputy.display_name in page(detail)


# --- the proposal page --------------------------------------------------------------------


def test_the_lead_liaison_sees_the_whole_proposal_with_personal_data(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    for shown in (proposal.title, proposal.problem, "山田 花子", "hanako@example.jp",
                  "090-1234-5678", proposal.receipt, "受付", "公園緑地課",
                  ja("staff.event.submit"), ja("staff.event.route")):
        assert shown in text


def test_every_step_a_proposal_can_record_is_named_in_the_timeline_in_ja_and_en(app, client,
                                                                                 city):
    """An escalation and a resent tracking link too: no log word (``escalate``) and no
    system reason in the log's language (``overdue since …``) on the page."""
    from datetime import timedelta

    from intake.dates import people_date
    from intake.links import links_for
    from intake.models import EventAction
    from intake.workflow.escalation import escalate_overdue
    from workflows.calendar import today_jst

    proposal, _ = city.submit()
    proposal.due_on = today_jst() - timedelta(days=3)
    city.session.commit()
    assert escalate_overdue(city.session, today_jst(), links=links_for(app)) == 1
    city.session.commit()
    assert client.post("/track", data={"receipt": proposal.receipt,
                                       "email": "hanako@example.jp"}).status_code == 303
    login(client, city.parks_liaison)
    for language in ("ja", "en"):
        text = page(client.get(f"/staff/proposals/{proposal.id}?lang={language}"))
        assert translate("staff.event.escalate", language) in text
        assert translate("staff.event.tracking_link", language) in text
        assert "overdue since" not in text and ">escalate<" not in text
        said = {"ja": "期限（", "en": "Overdue since "}[language]  # the reason, localised
        assert said + people_date(proposal.due_on, language) in text
    # Every action a proposal's log can hold has a name in both languages.
    proposal_actions = set(EventAction) - {EventAction.admin_change, EventAction.login_locked}
    for action in proposal_actions:
        for language in ("ja", "en"):
            assert f"staff.event.{action.value}" in catalogue(), action
            assert catalogue()[f"staff.event.{action.value}"].get(language), (action, language)


def test_the_detail_names_what_was_sent_not_the_forms_instructions(client, city):
    """The form's labels speak to the one filling it in ("Your name", "(optional)");
    a page showing what was sent names the fields plainly."""
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    def shown(language: str) -> str:  # the lists of what was sent (not the action forms)
        text = page(client.get(f"/staff/proposals/{proposal.id}?lang={language}"))
        return "".join(re.findall(r'<dl class="(?:summary|content)">.*?</dl>', text, re.S))

    ja_text, en_text = shown("ja"), shown("en")
    assert "任意" not in ja_text and "(optional)" not in en_text
    assert "Your name" not in en_text and "You are proposing as" not in en_text
    assert "my name" not in en_text
    assert "<dt>Name</dt><dd>山田 花子</dd>" in en_text
    assert f"<dt>{ja('shown.expected_effect')}</dt>" in ja_text


def test_another_departments_liaison_gets_403_and_no_content(client, city):
    proposal, _ = city.submit(title="秘密の公園計画について")
    login(client, city.roads_primary)
    response = client.get(f"/staff/proposals/{proposal.id}")
    assert response.status_code == 403
    text = page(response)
    for secret in ("秘密の公園計画について", "山田 花子", "hanako@example.jp", proposal.receipt):
        assert secret not in text


def test_a_liaison_the_proposal_was_transferred_away_from_is_told_where_it_went(client, city,
                                                                                db):
    """An older mail's link, opened after a transfer: who leads the proposal now and since
    when, still nothing of the proposal (another department is refused as before)."""
    proposal, _ = city.submit(title="秘密の公園計画について")
    operations.transfer_proposal(db, proposal, "roads", lead(proposal),
                                 reason="道路の案件です。")
    db.commit()
    moved = events_of(db, proposal)[-1]
    assert moved.action == "transfer"
    login(client, city.parks_liaison)
    response = client.get(f"/staff/proposals/{proposal.id}")
    assert response.status_code == 403
    text = page(response)
    assert ja("staff.error.moved_away", receipt=proposal.receipt, department="道路課",
              since=people_datetime(moved.at, "ja")) in text
    assert ja("staff.error.forbidden_page") not in text
    for secret in ("秘密の公園計画について", "山田 花子", "hanako@example.jp", "道路の案件です。"):
        assert secret not in text
    client.post("/staff/logout")
    login(client, city.welfare_liaison)  # never led it: nothing said of where it is
    other = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert ja("staff.error.forbidden_page") in other and "道路課" not in other


def test_a_missing_proposal_is_404(client, city):
    login(client, city.office_user)
    assert client.get("/staff/proposals/999999").status_code == 404


def action_urls(text: str) -> set[str]:
    return set(re.findall(r'action="/staff/proposals/\d+/transitions/(\w+)"', text))


def test_buttons_are_the_triggers_the_user_may_fire_now(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    assert action_urls(page(client.get(f"/staff/proposals/{proposal.id}"))) == {"accept"}
    client.post("/staff/logout")
    login(client, city.office_user)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert action_urls(text) == {"accept", "withdraw"}  # the office may withdraw too
    assert f'action="/staff/proposals/{proposal.id}/transfer"' in text


def test_a_consulted_department_sees_the_proposal_and_only_its_answer_form(client, city):
    proposal, _ = city.submit()
    city.session.add(OpinionRequest(proposal_id=proposal.id, department_id=city.roads.id,
                                    question="道路占用の可否"))
    city.session.commit()
    request_id = city.session.execute(select(OpinionRequest.id)).scalar_one()
    login(client, city.roads_primary)
    response = client.get(f"/staff/proposals/{proposal.id}")
    assert response.status_code == 200
    forms = set(re.findall(r'<form method="post" action="([^"]+)"', page(response)))
    assert forms == {f"/staff/proposals/{proposal.id}/opinions/{request_id}/answer",
                     "/staff/logout"}
    assert "道路占用の可否" in page(response)
    refused = post_action(client, proposal, "accept")
    assert refused.status_code == 403
    assert reload(city.session, proposal).state == "submitted"


def test_the_form_asks_for_the_inputs_of_the_transition_from_this_state(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert action_urls(text) == {"request_info", "open_deliberation", "reject"}
    assert 'name="reject-reason_code"' in text  # a select of reason codes …
    assert ja("staff.choice.reason_code.duplicate") in text
    assert 'name="request_info-question"' in text
    fire(city, proposal, "open_deliberation", city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert 'name="reject-reason"' in text
    assert 'name="reject-reason_code"' not in text  # … only from in_review
    assert 'name="session-held_at"' in text  # sessions are recorded while in deliberation


def test_firing_accept_moves_the_state_and_writes_an_event(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "accept")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/proposals/{proposal.id}"
    assert reload(city.session, proposal).state == "in_review"
    last = events_of(city.session, proposal)[-1]
    assert (last.action, last.trigger, last.from_state, last.to_state) == (
        "transition", "accept", "submitted", "in_review")
    assert last.actor == f"user:{city.parks_liaison.id}"
    shown = page(client.get(response.headers["Location"]))
    assert ja("staff.done.transition", action="受理する", state="検討中") in shown


def test_a_stale_version_answers_409_and_changes_nothing(client, city):
    proposal, _ = city.submit()
    seen = proposal.version
    fire(city, proposal, "accept", city.office_user)  # someone else, meanwhile
    before = len(events_of(city.session, proposal))
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "request_info", version=seen,
                           question="場所はどこですか")
    assert response.status_code == 409
    text = page(response)
    assert ja("staff.error.conflict") in text
    assert "場所はどこですか" in text  # the officer's text is kept
    fresh = reload(city.session, proposal)
    assert fresh.state == "in_review"
    assert len(events_of(city.session, proposal)) == before
    assert f'name="request_info-version" type="hidden" value="{fresh.version}"' in text


def test_reject_from_review_without_a_reason_code_is_refused_by_name(client, city):
    proposal = advanced(city, "accept")
    before = len(events_of(city.session, proposal))
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", reason="予算がありません")
    assert response.status_code == 422
    text = page(response)
    # The summary on top says what is wrong, as beside the select.
    summary = text.split('class="error-summary-list')[1].split("</ul>")[0]
    assert ja("staff.error.field.required", field="理由の区分") in summary
    assert text.count(ja("staff.error.field.required", field="理由の区分")) >= 2
    # the summary on top links to the select itself
    field_id = re.search(r'<select[^>]*id="([^"]*reason_code)"', text).group(1)
    assert f'href="#{field_id}"' in summary
    assert "予算がありません" in text
    assert reload(city.session, proposal).state == "in_review"
    assert len(events_of(city.session, proposal)) == before


def test_a_named_guard_refusal_names_the_guard(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "adopt", reason="有益")
    assert response.status_code == 422
    assert ja("staff.error.guard", guard="deliberation_recorded",
              reason=ja("staff.guard.deliberation_recorded")) in page(response)
    assert reload(city.session, proposal).state == "in_deliberation"


def test_a_trigger_not_allowed_now_is_refused(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "evaluate", evaluation="x")
    assert response.status_code == 422
    assert ja("staff.error.not_allowed", state="受付", action="評価を記録する") in page(response)
    unknown = post_action(client, proposal, "explode")
    assert unknown.status_code == 422
    assert reload(city.session, proposal).state == "submitted"


def test_a_trigger_of_another_role_is_403(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "withdraw")
    assert response.status_code == 403  # withdrawing is the proposer's or the office's
    assert ja("staff.error.forbidden") in page(response)
    assert reload(city.session, proposal).state == "submitted"


@pytest.mark.parametrize("version", [None, "", "abc", "0"])
def test_a_post_without_a_usable_version_is_a_400(client, city, version):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "accept", version=version)
    assert response.status_code == 400
    assert ja("staff.error.version") in page(response)
    assert reload(city.session, proposal).state == "submitted"


def test_transfer_moves_the_proposal_to_the_other_queue(client, city):
    proposal, _ = city.submit(title="川沿いの遊歩道を整備する")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "transfer", department="roads",
                           reason="道路課の所管です")
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"  # no longer the parks liaison's
    moved = reload(city.session, proposal)
    assert moved.lead_department_id == city.roads.id
    assert moved.assignee_id == city.roads_primary.id
    assert events_of(city.session, proposal)[-1].action == "transfer"
    assert "川沿いの遊歩道を整備する" not in page(client.get("/staff/"))
    client.post("/staff/logout")
    login(client, city.roads_primary)
    assert "川沿いの遊歩道を整備する" in page(client.get("/staff/"))
    timeline = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert "公園緑地課 → 道路課" in timeline and "道路課の所管です" in timeline


def test_transfer_without_a_reason_is_refused_beside_the_field(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "transfer", department="roads", reason="  ")
    assert response.status_code == 422
    assert ja("staff.error.field.required", field="理由") in page(response)
    assert '<option selected value="roads">' in page(response)  # the choice is kept
    assert reload(city.session, proposal).lead_department_id == city.parks.id


def test_a_session_is_recorded_while_in_deliberation(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    # Deliberation opened a while ago (a session is not held before that day).
    proposal.state_entered_at = datetime(2025, 5, 1, tzinfo=UTC)
    city.session.commit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "sessions", version=None,
                           held_at="2025-06-01T14:30", place="市民会館", online="y",
                           agenda="花壇の場所", minutes="合意した", participants="12")
    assert response.status_code == 302
    record = city.session.execute(select(DeliberationSession)).scalar_one()
    assert record.held_at == datetime(2025, 6, 1, 5, 30, tzinfo=UTC)  # 14:30 in Japan
    assert (record.place, record.online, record.participants) == ("市民会館", True, 12)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert "2025年6月1日（日） 14:30" in text and "市民会館" in text  # as people read it


def test_the_same_session_sent_again_is_refused_and_recorded_once(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    proposal.state_entered_at = datetime(2025, 5, 1, tzinfo=UTC)
    city.session.commit()
    login(client, city.parks_liaison)
    fields = dict(held_at="2025-06-01T14:30", place="市民会館", agenda="花壇の場所",
                  minutes="合意した", participants="12")
    assert post_action(client, proposal, "sessions", version=None, **fields).status_code == 302
    again = post_action(client, proposal, "sessions", version=None, **fields)
    assert again.status_code == 409
    assert ja("staff.error.duplicate_session") in page(again)
    assert "花壇の場所</textarea>" in page(again)  # what was typed is still in the form
    other = post_action(client, proposal, "sessions", version=None,
                        **{**fields, "agenda": "管理の分担"})
    assert other.status_code == 302  # another meeting at that time is another session
    city.session.expire_all()
    assert sorted(city.session.scalars(select(DeliberationSession.agenda))) == [
        "管理の分担", "花壇の場所"]


@pytest.mark.parametrize("held_at, participants", [("", "3"), ("2025-13-01T10:00", "3"),
                                                   ("2025-06-01T10:00", "-1"),
                                                   ("2025-06-01T10:00", "many")])
def test_a_bad_session_form_is_refused_and_nothing_is_recorded(client, city, held_at,
                                                               participants):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "sessions", version=None, held_at=held_at,
                           participants=participants)
    assert response.status_code == 422
    text = page(response)
    assert ja("staff.error.form") not in text  # the summary names the field and the rule
    summary = text.split('class="error-summary-list')[1].split("</ul>")[0]
    assert (ja("staff.field.held_at") if held_at in ("", "2025-13-01T10:00")
            else ja("staff.field.participants")) in summary
    count = city.session.execute(select(func.count(DeliberationSession.id))).scalar()
    assert count == 0


def beside_input(text: str, name: str) -> str:
    """The ``<input>`` tag named ``name``."""
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', text).group(0)


@pytest.mark.parametrize("held_at, rule, day", [
    ("2025-06-01T10:00", "before_deliberation_day", "began"),  # long before it opened
    ("yesterday", "before_deliberation_day", "began"),
    ("tomorrow", "after_today", "today"),  # planned, not held: no record yet
])
def test_a_session_before_deliberation_began_or_after_today_is_refused_beside_the_field(
        client, city, held_at, rule, day):
    proposal = advanced(city, "accept", "open_deliberation")
    today = today_jst()
    typed = {"yesterday": f"{today - timedelta(days=1)}T10:00",
             "tomorrow": f"{today + timedelta(days=1)}T10:00"}.get(held_at, held_at)
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "sessions", version=None, held_at=typed,
                           place="市民会館", agenda="花壇の場所", participants="12")
    assert response.status_code == 422
    text = page(response)
    said = ja(f"staff.error.field.{rule}", field=ja("staff.field.held_at"),
              **{day: people_date(today, JA)})
    beside = text.split('id="session-held_at-error"')[1].split("</p>")[0]
    assert said in beside
    # The date picker offers no later day than today (the server decides, whatever is sent).
    assert f'max="{today.isoformat()}T23:59"' in beside_input(text, "session-held_at")
    # The summary on top says the rule too, not only "check: 日時".
    assert said in text.split('class="error-summary-list')[1].split("</ul>")[0]
    assert f'value="{typed}"' in text and "花壇の場所" in text  # what was typed is kept
    count = city.session.execute(select(func.count(DeliberationSession.id))).scalar()
    assert count == 0
    refused = post_action(client, reload(city.session, proposal), "adopt", reason="合意")
    assert refused.status_code == 422  # no deliberation record: the guard still refuses
    assert reload(city.session, proposal).state == "in_deliberation"


def test_a_session_outside_deliberation_is_a_conflict(client, city):
    proposal, _ = city.submit()
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "sessions", version=None,
                           held_at="2025-06-01T10:00", place="市民会館", agenda="説明",
                           participants="3")
    assert response.status_code == 409
    assert ja("staff.error.wrong_state") in page(response)


def test_start_implementation_takes_the_due_date_from_a_date_input(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    operations.record_session(
        city.session, proposal, operations.Actor.staff(city.parks_liaison),
        held_at=datetime.now(UTC), place="市民会館", online=False,
        agenda="", minutes="", participants=8)
    city.session.commit()
    fire(city, proposal, "adopt", city.parks_liaison, reason="協議で合意した")
    proposal = reload(city.session, proposal)
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert 'name="start_implementation-due_on" type="date"' in text
    assert "協議で合意した" in text  # the ruling's reason
    response = post_action(client, proposal, "start_implementation",
                           due_on=f"{FUTURE_YEAR}-03-31")
    assert response.status_code == 302
    done = reload(city.session, proposal)
    assert (done.state, done.due_on.isoformat()) == ("implementing", f"{FUTURE_YEAR}-03-31")


# --- the workflow help --------------------------------------------------------------------


def test_the_workflow_help_shows_diagrams_and_tables(client, city):
    login(client, city.parks_liaison)
    text = page(client.get("/staff/help/workflow"))
    assert text.count('<pre class="mermaid">') == 2  # proposal and idea
    assert "stateDiagram-v2" in text and "submitted --&gt; in_review: accept" in text
    assert "<script" not in text
    for shown in ("協働提案", "意見・アイデア", "協議中", "評価済", "deliberation_recorded",
                  "理由の区分", ja("staff.help.days", days=20), ja("staff.role.office")):
        assert shown in text


# --- the catalogue ------------------------------------------------------------------------


def test_catalogue_has_every_key_the_staff_pages_use(app):
    sources = [*sorted((ROOT / "templates/staff").glob("*.html")),
               *sorted((ROOT / "intake/web/staff").glob("*.py")), ROOT / "forms/staff.py",
               ROOT / "forms/actions.py", ROOT / "intake/explain.py"]
    keys = set()
    for path in sources:
        text = path.read_text()
        keys |= set(re.findall(r"""(?:_|\bt|translate)\(\s*['"]([a-z_.-]+[a-z_])['"]""", text))
        # keys named in data (column headings): two dots or more, unlike 'staff.css'
        keys |= set(re.findall(r"""['"](staff\.[a-z_]+\.[a-z_.]*[a-z_])['"]""", text))
    # every form's labels and hints (``staff.field.<name>`` unless the form names another)
    form_classes = [c for module in (staff_forms, action_forms) for c in vars(module).values()
                    if isinstance(c, type) and issubclass(c, staff_forms.StaffForm)]
    with app.test_request_context():
        for form in (form_class() for form_class in form_classes):
            keys |= {form.label_keys.get(f.short_name, f"staff.field.{f.short_name}")
                     for f in form if f.widget.__class__.__name__ != "HiddenInput"}
            keys |= set(form.hint_keys.values())
    # named by the workflow definitions: guards, roles, choices
    keys |= {f"staff.guard.{name}" for name in workflows.GUARDS}
    keys |= {f"staff.role.{role}" for role in workflows.ROLES}
    keys |= {f"staff.opinions.status.{status}" for status in ("open", "answered", "waived")}
    for name in workflows.builtin_workflow_names():
        for transition in workflows.get_workflow(name).transitions:
            keys |= {f"staff.choice.{spec.name}.{choice}"
                     for spec in transition.inputs.values() for choice in spec.choices}
    messages = catalogue()
    assert sorted(k for k in keys if k not in messages) == []
    assert sorted(k for k in keys if k.startswith("staff.")
                  and not all(messages[k].get(lang) for lang in ("ja", "en"))) == []


def test_the_budget_figures_follow_the_texts_before_the_files_and_the_readings(
        client, city, db):
    """On the page of a published proposal the figures the proposer gave sit with the
    texts they belong to, not after the easy-Japanese title's section."""
    proposal, _ = city.submit(title="公園の花壇", budget_total=120000, city_share=50000)
    operations.fire_trigger(db, proposal, "accept", lead(proposal))
    db.commit()
    login(client, city.parks_liaison)
    html = page(client.get(f"/staff/proposals/{proposal.id}"))
    figures = html.index(ja("staff.yen", amount="120,000"))
    assert html.index('id="content-title"') < figures < html.index('id="easy-title-title"')
