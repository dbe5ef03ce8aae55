"""Every link in every mail opens the page it promises (issue: dead links in mail).

A proposal is taken through every step that writes mail — receipt, new item, question,
answer, state changes, transfer, deadline extension, opinion request/answer/waiver,
ruling, escalation, a re-sent tracking link — through the real doors where a person
would act, and then every URL in every outbox message is followed: a staff link by a
signed-in officer of the office, anything else by an anonymous visitor.  Each must
answer 200.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from intake.links import links_for
from intake.models import OutboxMessage, Proposal
from intake.workflow.escalation import escalate_overdue
from tests import ops as operations
from workflows.calendar import today_jst

from .api_support import API, bearer, form
from .staff_support import login, reload
from .workflow_support import lead, record_deliberation

URL = re.compile(r"https?://[^\s）」]+")


def _all_mail_links(db) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for message in db.execute(select(OutboxMessage)).scalars():
        for url in URL.findall(message.body):
            found.setdefault(url, set()).add(message.kind)
    return found


def test_every_link_in_every_mail_opens_its_page(app, city, client):
    db = city.session
    token = city.token(city.parks_liaison)
    headers = bearer(token)
    # Submitted through the API (receipt + new item), asked and answered on the pages.
    created = client.post(f"{API}/proposals", json=form(email="hanako@example.jp"))
    assert created.status_code == 201
    pid, tracking = created.get_json()["id"], created.get_json()["tracking_token"]
    proposal = db.get(Proposal, pid)

    def fire(trigger, **inputs):
        body = {"trigger": trigger, "version": reload(db, proposal).version, **inputs}
        answer = client.post(f"{API}/proposals/{pid}/transitions", json=body, headers=headers)
        assert answer.status_code == 200, answer.get_json()

    fire("accept")
    fire("request_info", question="場所はどこですか。")
    answered = client.post(f"{API}/track/{tracking}/transitions",
                           json={"trigger": "provide_info", "text": "駅前です。"})
    assert answered.status_code == 200
    opinion = client.post(f"{API}/proposals/{pid}/opinions", headers=headers, json={
        "department": "roads", "question": "道路への影響は？", "due_in_days": 5,
        "version": reload(db, proposal).version})
    assert opinion.status_code == 201, opinion.get_json()
    roads = bearer(city.token(city.roads_primary))
    assert client.post(f"/api/v1/opinions/{opinion.get_json()['id']}/answer", headers=roads,
                       json={"answer": "影響はありません。"}).status_code == 200
    second = client.post(f"{API}/proposals/{pid}/opinions", headers=headers, json={
        "department": "welfare", "question": "福祉の観点で",
        "version": reload(db, proposal).version})
    assert client.post(f"/api/v1/opinions/{second.get_json()['id']}/waive", headers=headers,
                       json={"reason": "不要になりました。"}).status_code == 200
    extended = client.post(f"{API}/proposals/{pid}/extend", headers=headers, json={
        "due_on": (reload(db, proposal).due_on + timedelta(days=30)).isoformat(),
        "reason": "調整のため。", "version": reload(db, proposal).version})
    assert extended.status_code == 200, extended.get_json()
    fire("open_deliberation")
    record_deliberation(db, reload(db, proposal))
    db.commit()
    fire("adopt", reason="効果が見込まれるため。")

    # A transfer, and an overdue step escalated by the worker's operation.
    other, _ = city.submit()
    operations.transfer_proposal(db, other, "roads", lead(other), reason="道路の案件です。")
    other.due_on = today_jst() - timedelta(days=3)
    db.commit()
    assert escalate_overdue(db, today_jst(), links=links_for(app)) >= 1
    db.commit()
    office = app.test_client()
    assert login(office, city.office_user).status_code == 302
    links = _all_mail_links(db)
    kinds = {kind for found in links.values() for kind in found}
    assert {"receipt", "new_item", "question", "state_changed", "staff_step.provide_info",
            "transferred",
            "deadline_extended", "opinion_request", "opinion_answered", "opinion_waived",
            "ruling", "escalation"} <= kinds
    _follow(app, office, links)
    # Then a proposer who lost the link asks for it again (which retires the old link).
    lost = client.post("/track", data={"receipt": proposal.receipt, "email": "hanako@example.jp"})
    assert lost.status_code == 303
    resent = {url: kinds for url, kinds in _all_mail_links(db).items() if "tracking_link" in kinds}
    assert resent
    _follow(app, office, resent)


def _follow(app, office, links: dict[str, set[str]]) -> None:
    for url, found_in in sorted(links.items()):
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == "http://teian.test", url
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        visitor = office if parts.path.startswith("/staff/") else app.test_client()
        response = visitor.get(path)
        assert response.status_code == 200, (url, sorted(found_in), response.status_code)


def test_the_re_sent_link_opens_the_tracking_page_and_the_old_one_no_longer_does(city, client, db):
    proposal, old_token = city.submit(email="taro@example.jp")
    response = client.post("/track", data={"receipt": proposal.receipt.lower(),
                                           "email": "TARO@example.jp"})
    assert response.status_code == 303
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).scalar_one()
    assert mail.recipient == "taro@example.jp"
    new_link = URL.search(mail.body).group(0)
    assert client.get(urlsplit(new_link).path).status_code == 200
    assert client.get(f"/track/{old_token}").status_code == 404
    assert reload(db, proposal).version == 1  # no officer was interrupted


def test_a_wrong_receipt_or_address_sends_nothing_and_says_the_same(city, client, db):
    proposal, _ = city.submit(email="taro@example.jp")
    answers = [
        client.post("/track", data={"receipt": proposal.receipt, "email": "other@example.jp"},
                    follow_redirects=True),
        client.post("/track", data={"receipt": "T-2026-999999", "email": "taro@example.jp"},
                    follow_redirects=True),
    ]
    assert db.execute(select(OutboxMessage).where(OutboxMessage.kind == "tracking_link")
                      ).first() is None
    texts = [a.get_data(as_text=True) for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert all("一致した場合" in text for text in texts)


def test_the_look_up_form_names_what_is_missing(client):
    response = client.post("/track", data={"receipt": "", "email": "not-an-address"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "受付番号を入力してください" in text


def test_the_look_up_cannot_be_used_to_mail_someone_over_and_over(database_url, tmp_path):
    from .api_support import rate_limited_app

    with rate_limited_app(database_url, tmp_path) as limited:
        client = limited.test_client()
        data = {"receipt": "T-2026-000001", "email": "someone@example.jp"}
        answers = [client.post("/track", data=data) for _ in range(4)]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
    # Refused, the form is there again with what was typed (the message says it is kept).
    refused = answers[-1].get_data(as_text=True)
    assert 'value="someone@example.jp"' in refused and 'value="T-2026-000001"' in refused
    assert "入力した内容は残っています" in refused


def test_look_ups_refused_for_typos_do_not_use_up_the_limit(database_url, tmp_path):
    """A citizen correcting a mistyped form is never told to wait; only look-ups that
    passed the checks count (one that matched nothing counts too: it looks the same)."""
    from .api_support import rate_limited_app

    with rate_limited_app(database_url, tmp_path) as limited:
        client = limited.test_client()
        typos = [client.post("/track", data={"receipt": "", "email": "someone@example"})
                 for _ in range(3)]
        data = {"receipt": "T-2026-000001", "email": "someone@example.jp"}
        answers = [client.post("/track", data=data) for _ in range(4)]
    assert [a.status_code for a in typos] == [422, 422, 422]
    assert [a.status_code for a in answers] == [303, 303, 303, 429]
