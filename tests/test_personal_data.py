"""Retention and disclosure: ``teian purge-personal-data`` erases the personal data of
proposals closed before a date and keeps the public record and a verifying audit log;
``teian export-person`` gives one person everything held about them."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from intake.audit import verify
from intake.links import links_for
from intake.models import Comment, Event, OutboxMessage, Proposal, Support, utcnow
from intake.supports.operations import request_support
from tests import ops
from workflows.calendar import today_jst

from .attachment_support import age_files

PHONE = "090-8765-4321"
QUESTION = "場所を教えてください。お宅の近くですか。"
ANSWER = "自宅は大供3丁目5番です。夜は 090-1111-2222 へ。"


def closed(city, **submission):
    """A parks proposal rejected (a final state), with a masked phone number in its public
    copy, a question to the proposer and their answer (with an address and a phone
    number) in the audit log, and a held comment."""
    lead = ops.Actor.staff(city.parks_liaison)
    proposal, _ = city.submit(problem=f"夜の公園が暗いです。連絡は {PHONE} まで。", **submission)
    ops.fire_trigger(city.session, proposal, "accept", lead)
    ops.fire_trigger(city.session, proposal, "request_info", lead, {"question": QUESTION})
    ops.fire_trigger(city.session, proposal, "provide_info", ops.PROPOSER, {"answer": ANSWER})
    ops.review_publication(city.session, proposal, lead, redact=[PHONE])
    ops.fire_trigger(city.session, proposal, "open_deliberation", lead)
    ops.add_comment(city.session, proposal, name="近所の人", body=f"電話 {PHONE} へどうぞ")
    request_support(city.session, proposal, "supporter@example.jp", "応援する人",
                    links=links_for(current_app), language="ja")
    ops.fire_trigger(city.session, proposal, "reject", lead, {"reason": "予算がないため"})
    city.session.commit()
    return proposal


def test_the_purge_erases_personal_data_and_keeps_the_public_record(city, db, run,  # noqa: F811
                                                                     client):
    old = closed(city, proposer_name="山田 花子", email="hanako@example.jp")
    kept = closed(city, proposer_name="鈴木 一郎", email="ichiro@example.jp")
    old.state_entered_at = utcnow() - timedelta(days=400)
    db.commit()
    public_before = client.get(f"/api/v1/proposals/{old.id}").get_json()

    cutoff = (today_jst() - timedelta(days=30)).isoformat()
    result = run("purge-personal-data", "--closed-before", cutoff)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 closed proposals")

    db.expire_all()
    purged = db.get(Proposal, old.id)
    assert (purged.contact.name, purged.contact.email, purged.contact.phone) == ("", "", "")
    assert PHONE not in purged.problem and "●●●" in purged.problem  # the masked original
    assert db.execute(select(Comment).where(Comment.proposal_id == old.id)).first() is None
    messages = db.execute(select(OutboxMessage).where(OutboxMessage.proposal_id == old.id)
                          ).scalars().all()
    assert messages and all("hanako@example.jp" != m.recipient for m in messages)
    assert all("山田" not in m.body for m in messages)
    assert db.execute(select(Support).where(Support.proposal_id == old.id)).first() is None
    # The question and the answer are gone from the audit log (not the ruling's reason).
    reasons = db.execute(select(Event.reason).where(Event.proposal_id == old.id)).scalars()
    assert not {QUESTION, ANSWER} & set(reasons)
    assert "予算がないため" in set(
        db.execute(select(Event.reason).where(Event.proposal_id == old.id)).scalars())
    assert ANSWER in set(
        db.execute(select(Event.reason).where(Event.proposal_id == kept.id)).scalars())
    assert "supporter@example.jp" not in [m.recipient for m in messages]
    # The other proposal, closed recently, is untouched.
    assert db.get(Proposal, kept.id).contact.email == "ichiro@example.jp"
    # The public record is the same, and the audit log still verifies.
    public_after = client.get(f"/api/v1/proposals/{old.id}").get_json()
    assert public_after == public_before
    assert verify(db) is None
    assert run("audit", "verify").exit_code == 0
    # The staff search no longer finds the masked number.
    token = city.token(city.office_user)
    found = client.get("/api/v1/queue", query_string={"q": "8765"},
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    assert old.id not in [item["id"] for item in found["items"]]


def test_export_person_gives_everything_held_about_one_address(city, run):  # noqa: F811
    closed(city, proposer_name="山田 花子", email="hanako@example.jp")
    city.submit(proposer_name="別の人", email="other@example.jp")
    result = run("export-person", "Hanako@Example.jp")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["email"] == "hanako@example.jp"
    (proposal,) = data["proposals"]
    assert proposal["contact"]["name"] == "山田 花子"
    assert PHONE in proposal["text"]["problem"]  # the original, as they wrote it
    assert [(e["step"], e["text"]) for e in proposal["exchanges"]] == [
        ("request_info", QUESTION), ("provide_info", ANSWER)]
    assert data["messages"] and all("other@example.jp" not in json.dumps(m)
                                    for m in data["messages"])
    assert "別の人" not in result.output
    supporter = json.loads(run("export-person", "supporter@example.jp").output)
    assert [s["name"] for s in supporter["supports"]] == ["応援する人"]


def test_a_reason_erased_without_the_purge_fails_the_audit(city, db, run):  # noqa: F811
    """Erasing is the purge's alone: an insider blanking a reason by hand (or editing it,
    or putting text back after the purge) makes ``teian audit verify`` name the event."""
    proposal = closed(city, email="hanako@example.jp")
    answer = db.execute(select(Event).where(Event.proposal_id == proposal.id,
                                            Event.trigger == "provide_info")).scalar_one()
    answer.reason = "別の答え"
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1 and f"event {answer.id}" in result.output
    assert "reason does not match" in result.output

    answer.reason, answer.reason_salt = "", None  # erased by hand: no purge event names it
    db.commit()
    result = run("audit", "verify")
    assert result.exit_code == 1 and "no purge event" in result.output

    proposal.state_entered_at = utcnow() - timedelta(days=400)
    db.commit()
    assert run("purge-personal-data", "--closed-before", today_jst().isoformat()
               ).exit_code == 0
    db.expire_all()
    assert run("audit", "verify").exit_code == 1  # the hand-erased one is still unrecorded

    purged = db.execute(select(Event).where(Event.proposal_id == proposal.id,
                                            Event.trigger == "request_info")).scalar_one()
    assert purged.reason == "" and purged.reason_salt is None
    purged.reason = QUESTION  # text put back after the purge
    db.commit()
    assert "erased reason has text again" in run("audit", "verify").output


def test_the_purge_takes_the_attachments_files_with_it(city, db, run, client,  # noqa: F811
                                                        tmp_path):
    from intake.attachments import clean, folder_storage
    from intake.attachments.operations import keep_files, publish_attachment
    from intake.models import Attachment
    from tests.attachment_files import jpeg_with_gps, plain_pdf

    storage = folder_storage(tmp_path / "cli-instance")  # the instance the CLI runs on
    old = closed(city, proposer_name="山田 花子", email="hanako@example.jp")
    photo, pdf = keep_files(db, old, [clean(jpeg_with_gps(), "home.jpg"),
                                      clean(plain_pdf(), "map.pdf")], storage)
    publish_attachment(db, photo, ops.Actor.staff(city.parks_liaison))
    old.state_entered_at = utcnow() - timedelta(days=400)
    db.commit()
    age_files(storage.root)  # sent long ago (a file put within the hour stays: below)
    keys = [photo.storage_key, photo.thumbnail_key, pdf.storage_key]
    assert all(storage.exists(key) for key in keys)

    result = run("purge-personal-data", "--closed-before",
                 (today_jst() - timedelta(days=30)).isoformat())
    assert result.exit_code == 0, result.output
    assert "3 attachment files erased" in result.output
    assert not any(storage.exists(key) for key in keys)
    db.expire_all()
    rows = db.execute(select(Attachment).order_by(Attachment.id)).scalars().all()
    assert all(row.purged_at is not None and row.published_at is None for row in rows)
    assert client.get(f"/api/v1/proposals/{old.id}").get_json()["attachments"] == []
    assert run("audit", "verify").exit_code == 0


def _old_with_photo(city, db, storage, photo):
    from intake.attachments.operations import keep_files

    old = closed(city, proposer_name="山田 花子", email="hanako@example.jp")
    (row,) = keep_files(db, old, [photo], storage)
    old.state_entered_at = utcnow() - timedelta(days=400)
    db.commit()
    return old, [row.storage_key, row.thumbnail_key]


def _purge(run):  # noqa: F811
    result = run("purge-personal-data", "--closed-before",
                 (today_jst() - timedelta(days=30)).isoformat())
    assert result.exit_code == 0, result.output
    return result.output


def test_a_photo_another_proposal_shares_stays_through_the_purge(city, db, run,  # noqa: F811
                                                                 tmp_path):
    """The same photo sent with two proposals is one file: erasing the closed one's
    personal data leaves the file the open one still refers to, and its thumbnail."""
    from intake.attachments import clean, folder_storage
    from intake.attachments.operations import keep_files
    from tests.attachment_files import jpeg_with_gps

    storage = folder_storage(tmp_path / "cli-instance")
    _, keys = _old_with_photo(city, db, storage, clean(jpeg_with_gps(), "home.jpg"))
    other, _ = city.submit(email="neighbour@example.jp")
    (shared,) = keep_files(db, other, [clean(jpeg_with_gps(), "same.jpg")], storage)
    db.commit()
    assert [shared.storage_key, shared.thumbnail_key] == keys
    age_files(storage.root)

    assert "0 attachment files erased" in _purge(run)
    assert all(storage.exists(key) for key in keys)
    db.expire_all()
    assert db.get(type(shared), shared.id).purged_at is None
    assert run("sweep-files").exit_code == 0 and all(storage.exists(key) for key in keys)


def test_a_photo_being_sent_again_as_the_purge_runs_stays(city, db, run,  # noqa: F811
                                                          tmp_path):
    """A request has written the same photo for a new proposal and not yet committed its
    row when the purge erases the old one: the file is left (put within the hour), for the
    new row; had that request failed, the sweep would take it later."""
    from intake.attachments import clean, folder_storage
    from intake.attachments.operations import keep_files
    from tests.attachment_files import jpeg_with_gps

    storage = folder_storage(tmp_path / "cli-instance")
    _, keys = _old_with_photo(city, db, storage, clean(jpeg_with_gps(), "home.jpg"))
    age_files(storage.root)
    again = clean(jpeg_with_gps(), "again.jpg")
    assert [storage.put(again.data, ".jpg"), storage.put(again.thumbnail, ".jpg")] == keys

    assert "0 attachment files erased" in _purge(run)
    other, _ = city.submit(email="neighbour@example.jp")
    (row,) = keep_files(db, other, [again], storage)  # the request's row, now committed
    db.commit()
    assert all(storage.get(key) for key in (row.storage_key, row.thumbnail_key))


def test_a_second_purge_finds_nothing_left_and_logs_nothing(city, db, run):  # noqa: F811
    old = closed(city, proposer_name="山田 花子", email="hanako@example.jp")
    old.state_entered_at = utcnow() - timedelta(days=400)
    db.commit()
    cutoff = (today_jst() - timedelta(days=30)).isoformat()
    assert run("purge-personal-data", "--closed-before", cutoff).output.startswith(
        "1 closed proposals: 1 contacts")
    events = db.execute(select(Event.seq).where(Event.proposal_id == old.id)).scalars().all()
    again = run("purge-personal-data", "--closed-before", cutoff)
    assert again.output.startswith("1 closed proposals: 0 contacts, 0 masked originals, "
                                   "0 held comments, 0 supporters' addresses, 0 messages, "
                                   "0 questions"), again.output
    db.expire_all()
    assert db.execute(select(Event.seq).where(Event.proposal_id == old.id)
                      ).scalars().all() == events
    assert verify(db) is None


def test_export_person_finds_an_address_however_it_is_typed(city, run):  # noqa: F811
    city.submit(proposer_name="山田 花子", email="Hanako.Yamada@example.jp")
    for typed in ("hanako.yamada@example.jp", "ＨＡＮＡＫＯ．ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＪＰ",
                  " Hanako.Yamada@Example.JP "):
        data = json.loads(run("export-person", typed).output)
        assert [p["contact"]["name"] for p in data["proposals"]] == ["山田 花子"], typed
        assert data["messages"], typed  # the receipt, sent to the address as stored
