"""Comments with contact details are held until a person has looked (SPEC section 5,
issue 7); the office hides any comment with a reason the public page shows instead."""

from __future__ import annotations

import json

from sqlalchemy import select

from intake.i18n import translate as t
from intake.models import Comment, Event, Proposal
from intake.privacy.text import MASK
from tests import ops as operations
from tests.api_support import API, bearer
from tests.staff_support import login

PHONE = "090-8765-4321"


def _in_deliberation(city) -> Proposal:
    proposal, _token = city.submit()
    liaison = operations.Actor.staff(city.parks_liaison)
    operations.fire_trigger(city.session, proposal, "accept", liaison)
    operations.fire_trigger(city.session, proposal, "open_deliberation", liaison)
    city.session.commit()
    return proposal


def _comment(client, proposal, body, name="近所の人"):
    return client.post(f"{API}/proposals/{proposal.id}/comments",
                       json={"name": name, "body": body})


def _public(client, proposal) -> str:
    return (client.get(f"{API}/proposals/{proposal.id}").get_data(as_text=True)
            + client.get(f"/proposals/{proposal.id}").get_data(as_text=True))


def test_a_comment_with_contact_details_is_held_until_published(city, client, db):
    proposal = _in_deliberation(city)
    response = _comment(client, proposal, f"手伝えます。連絡は{PHONE}へ。")
    assert response.status_code == 201 and response.get_json()["status"] == "held"
    plain = _comment(client, proposal, "賛成です。")
    assert plain.get_json()["status"] == "published"
    public = _public(client, proposal)
    assert "手伝えます" not in public and PHONE not in public and "賛成です。" in public
    # Staff see it held, with the hit.
    liaison = city.token(city.parks_liaison)
    detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                        headers=bearer(liaison)).get_json()
    held = next(c for c in detail["comments"] if c["status"] == "held")
    assert [(h["kind"], h["text"]) for h in held["personal_data"]] == [("phone", PHONE)]
    # The lead liaison publishes it with the phone masked.
    published = client.post(f"{API}/comments/{held['id']}/publish",
                            json={"redact": [PHONE]}, headers=bearer(liaison))
    assert published.status_code == 200, published.get_json()
    public = _public(client, proposal)
    assert f"手伝えます。連絡は{MASK}へ。" in public and PHONE not in public
    [event] = db.execute(select(Event).where(Event.action == "comment_publish")).scalars()
    assert event.data["redactions"] == 1 and PHONE not in json.dumps(event.data)


def test_moderation_rights(city, client, db):
    proposal = _in_deliberation(city)
    held_id = _comment(client, proposal, f"電話 {PHONE}").get_json()["id"]
    shown_id = _comment(client, proposal, "ふつうの意見").get_json()["id"]
    liaison, office = city.token(city.parks_liaison), city.token(city.office_user)
    other = city.token(city.roads_primary)
    reason = {"reason": "個人情報のため"}
    # Another department may not touch it; the lead liaison may not hide a public comment.
    assert client.post(f"{API}/comments/{held_id}/publish", json={},
                       headers=bearer(other)).status_code == 403
    assert client.post(f"{API}/comments/{shown_id}/hide", json=reason,
                       headers=bearer(liaison)).status_code == 403
    # The lead liaison may hide a held one; the office any, with a reason.
    assert client.post(f"{API}/comments/{held_id}/hide", json=reason,
                       headers=bearer(liaison)).status_code == 200
    missing = client.post(f"{API}/comments/{shown_id}/hide", json={}, headers=bearer(office))
    assert missing.status_code == 422 and "reason" in missing.get_json()["error"]["fields"]
    assert client.post(f"{API}/comments/{shown_id}/hide", json={"reason": "誹謗中傷"},
                       headers=bearer(office)).status_code == 200
    again = client.post(f"{API}/comments/{shown_id}/hide", json={"reason": "再度"},
                        headers=bearer(office))
    assert again.status_code == 409
    assert client.post(f"{API}/comments/999999/hide", json=reason,
                       headers=bearer(office)).status_code == 404
    public = _public(client, proposal)
    assert "ふつうの意見" not in public and PHONE not in public
    assert "誹謗中傷" in public and "個人情報のため" in public
    actions = [e.action for e in db.execute(
        select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)).scalars()]
    assert actions.count("comment_hide") == 2


def test_the_office_masks_a_name_the_scan_missed_in_a_public_comment(city, client, db):
    proposal = _in_deliberation(city)
    comment_id = _comment(client, proposal, "隣の佐藤花子さんも賛成しています。").get_json()["id"]
    office = city.token(city.office_user)
    response = client.post(f"{API}/comments/{comment_id}/publish",
                           json={"redact": ["佐藤花子"]}, headers=bearer(office))
    assert response.status_code == 200, response.get_json()
    assert "佐藤花子" not in _public(client, proposal)
    assert db.get(Comment, comment_id).body == "隣の佐藤花子さんも賛成しています。"


def test_the_page_tells_the_commenter_and_the_staff_page_publishes(city, client, db, app):
    from tests.test_web_public import post_comment

    app.config["TEIAN_MIN_FILL_SECONDS"] = 0  # the form is sent at once, not typed
    proposal = _in_deliberation(city)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "個人が分かる情報は書かないでください" in page
    response = post_comment(client, proposal, {"name": "", "body": f"電話は{PHONE}です"},
                            follow_redirects=True)
    assert t("public.comment.held") in response.get_data(as_text=True)
    comment = db.execute(select(Comment)).scalar_one()
    login(client, city.parks_liaison)
    staff_page = client.get(f"/staff/proposals/{proposal.id}").get_data(as_text=True)
    assert t("privacy.comment.status.held") in staff_page
    prefix = f"comment-{comment.id}"
    published = client.post(f"/staff/proposals/{proposal.id}/comments/{comment.id}/publish",
                            data={f"{prefix}-redact": PHONE})
    assert published.status_code in (302, 303), published.get_data(as_text=True)[:500]
    assert f"電話は{MASK}です" in _public(client, proposal)


def test_the_staff_pages_call_a_citizens_comment_a_comment(city, client, db):
    """意見 on the staff pages is another department's opinion (意見照会); what citizens
    write under a proposal is a コメント there, in every message of its moderation."""
    proposal = _in_deliberation(city)
    _comment(client, proposal, "ベンチが増えると助かります。")
    comment = db.execute(select(Comment)).scalar_one()
    login(client, city.office_user)
    before = client.get(f"/staff/proposals/{proposal.id}").get_data(as_text=True)
    assert "コメントの代わりに、この理由が公開ページに表示されます。" in before
    hidden = client.post(f"/staff/proposals/{proposal.id}/comments/{comment.id}/hide",
                         data={f"hide-{comment.id}-reason": "誹謗中傷", "confirm": "y"},
                         follow_redirects=True)
    text = hidden.get_data(as_text=True)
    assert "コメントを非表示にしました。" in text
    assert "コメントの非表示" in text  # the timeline
    assert t("staff.error.comment_hidden") == "このコメントはすでに非表示です。"
    assert t("privacy.done.comment_published", count=1) == "コメントを公開しました（伏せ字 1件）。"
    for wrong in ("意見を非表示", "意見の非表示", "意見の代わり"):
        assert wrong not in text, wrong
