"""Deliberation with citizens only on what they can read (SPEC sections 3 and 5): a
proposal waiting for its personal-data review, or withheld by the office, cannot open
deliberation (the workflow's ``published`` guard, on the page and in the API alike), is
not offered it as the next step, takes no comment period, and a comment period counts
for adoption only if citizens could read the proposal while it ran."""

from __future__ import annotations

from datetime import timedelta

from intake.models import utcnow
from tests import ops as operations

from .api_support import API, bearer, version
from .api_support import fire as api_fire
from .staff_support import advanced, ja, login, page, post_action, reload
from .staff_support import fire as staff_fire
from .workflow_support import FUTURE_YEAR

PHONE = "090-1111-2222"
PROBLEM = f"駅前広場には座る場所がありません。連絡は{PHONE}までお願いします。"


def pending(city):
    """A parks proposal the liaison accepted whose text holds a phone number: in review,
    waiting for the personal-data review, not public."""
    proposal, _ = city.submit(problem=PROBLEM)
    staff_fire(city, proposal, "accept", city.parks_liaison)
    proposal = reload(city.session, proposal)
    assert proposal.review_pending and not proposal.is_published
    return proposal


def publish(city, proposal):
    """The liaison's review: the phone masked, the proposal published."""
    operations.review_publication(city.session, proposal,
                                  operations.Actor.staff(city.parks_liaison), redact=[PHONE])
    city.session.commit()
    return reload(city.session, proposal)


def withhold(city, proposal):
    operations.withhold_publication(city.session, proposal,
                                    operations.Actor.staff(city.office_user),
                                    reason="名誉に関わる記述の確認のため")
    city.session.commit()
    return reload(city.session, proposal)


def summary_of(text: str, anchor: str) -> str:
    start = text.index(f'id="{anchor}"')
    return text[start:text.index("</summary>", start)]


def actions_part(text: str) -> str:
    return text[text.index('id="actions-title"'):text.index('id="content-title"')]


# --- opening deliberation ---------------------------------------------------------------------


def test_a_proposal_waiting_for_its_review_cannot_open_deliberation_on_the_page(client, city):
    proposal = pending(city)
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    # said before the click, and no other step is recommended in its place
    assert ja("staff.guard.published") in summary_of(text, "action-trigger-open_deliberation")
    assert ja("staff_page.actions.recommended") not in actions_part(text)
    assert ja("staff_page.actions.review_first") in actions_part(text)

    refused = post_action(client, proposal, "open_deliberation")
    assert refused.status_code == 422
    assert ja("staff.error.guard", reason=ja("staff.guard.published")) in page(refused)
    assert reload(city.session, proposal).state == "in_review"

    proposal = publish(city, proposal)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert ja("staff_page.actions.recommended") in summary_of(
        text, "action-trigger-open_deliberation")
    assert post_action(client, proposal, "open_deliberation").status_code == 302
    assert reload(city.session, proposal).state == "in_deliberation"


def test_the_api_refuses_it_with_the_same_guard_and_says_so_in_the_detail(client, city):
    proposal = pending(city)
    liaison = city.token(city.parks_liaison)
    detail = client.get(f"{API}/proposals/{proposal.id}/detail", headers=bearer(liaison))
    [step] = [t for t in detail.get_json()["available_triggers"]
              if t["trigger"] == "open_deliberation"]
    assert step["unmet"] == [{"guard": "published", "message": ja("staff.guard.published")}]

    response = api_fire(client, liaison, proposal.id, "open_deliberation")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["guard"]) == ("guard_failed", "published")
    assert ja("staff.guard.published") in error["message"]
    assert reload(city.session, proposal).state == "in_review"

    publish(city, proposal)
    assert api_fire(client, liaison, proposal.id, "open_deliberation").status_code == 200


def test_a_proposal_the_office_withheld_cannot_open_deliberation(client, city):
    proposal = withhold(city, advanced(city, "accept"))
    response = api_fire(client, city.token(city.parks_liaison), proposal.id,
                        "open_deliberation")
    assert response.status_code == 422
    assert response.get_json()["error"]["guard"] == "published"
    assert reload(city.session, proposal).state == "in_review"


# --- the comment period -----------------------------------------------------------------------


def test_no_comment_period_is_set_while_the_proposal_is_withheld(client, city):
    proposal = withhold(city, advanced(city, "accept", "open_deliberation"))
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert ja("staff.guard.published") in summary_of(text, "action-comment_period")

    refused = post_action(client, proposal, "comments", ends_at=f"{FUTURE_YEAR}-03-31T17:00")
    assert refused.status_code == 422
    assert ja("staff.error.guard", reason=ja("staff.guard.published")) in page(refused)
    liaison = city.token(city.parks_liaison)
    response = client.post(f"{API}/proposals/{proposal.id}/comment-period",
                           headers=bearer(liaison),
                           json={"ends_at": f"{FUTURE_YEAR}-03-31T17:00:00+09:00",
                                 "version": version(client, liaison, proposal.id)})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert (error["code"], error["guard"]) == ("guard_failed", "published")
    assert reload(city.session, proposal).comments_until is None


def test_a_comment_period_that_ended_while_withheld_is_no_deliberation_record(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    # accepted (so published) and brought into deliberation yesterday
    proposal.published_at = proposal.state_entered_at = utcnow() - timedelta(days=1)
    operations.set_comment_period(city.session, proposal,
                                  operations.Actor.staff(city.parks_liaison),
                                  ends_at=utcnow() + timedelta(minutes=1))
    city.session.commit()
    proposal = withhold(city, proposal)
    proposal.comments_until = utcnow() - timedelta(seconds=1)  # the minute has passed
    city.session.commit()
    liaison = city.token(city.parks_liaison)
    response = api_fire(client, liaison, proposal.id, "adopt", reason="良い提案のため")
    assert response.status_code == 422
    assert response.get_json()["error"]["guard"] == "deliberation_recorded"
    assert reload(city.session, proposal).ruled_at is None

    # published again, the period it ran while public counts
    operations.review_publication(city.session, proposal,
                                  operations.Actor.staff(city.office_user), redact=[])
    city.session.commit()
    adopted = api_fire(client, liaison, proposal.id, "adopt", reason="良い提案のため")
    assert adopted.status_code == 200, adopted.get_json()


def test_a_comment_period_that_ended_before_publication_is_no_deliberation_record(client,
                                                                                  city):
    """A proposal brought into deliberation before this rule, unpublished, its period
    ended before the review published it: citizens never saw that period."""
    proposal = pending(city)
    proposal.state = "in_deliberation"  # as an earlier version let it
    proposal.comments_until = utcnow() - timedelta(hours=1)
    city.session.commit()
    proposal = publish(city, proposal)
    assert proposal.published_at > proposal.comments_until
    response = api_fire(client, city.token(city.parks_liaison), proposal.id, "adopt",
                        reason="良い提案のため")
    assert response.status_code == 422
    assert response.get_json()["error"]["guard"] == "deliberation_recorded"


# --- the confirmation of an acceptance --------------------------------------------------------


def test_accepting_a_proposal_with_personal_data_says_it_waits_for_the_review(client, city):
    proposal, _ = city.submit(problem=PROBLEM)
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "accept")
    assert response.status_code == 302
    text = page(client.get(response.headers["Location"]))
    notice = text[text.index('class="notice notice-success"'):]
    notice = notice[:notice.index("</div>")]
    assert ja("staff.done.review_pending") in notice
    assert f'<a href="#action-publication">{ja("staff_page.actions.review_link")}</a>' in notice
    assert 'id="action-publication"' in text  # where the link leads

    clean, _ = city.submit()
    response = post_action(client, clean, "accept")
    text = page(client.get(response.headers["Location"]))
    assert ja("staff.done.review_pending") not in text
