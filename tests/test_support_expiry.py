"""An unconfirmed support does not outlive its confirmation link (intake/supports/expiry.py):
the link works for a week from when it was made, asking again makes a fresh one, and the
worker then forgets the address and blanks the mail sent to it.  Confirmed supports stay."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from intake.links import links_for
from intake.models import Support, utcnow
from intake.supports.expiry import CONFIRM_WITHIN, forget_expired_supports
from intake.supports.operations import confirm_support, request_support

from .test_query_plans import plan
from .test_supports import EMAIL, ask, confirm, confirm_path, count_of, published, support_mails
from .test_web_public import Page


def _asked(city, proposal, email: str, days_ago: float) -> None:
    """A support requested ``days_ago`` (the operation, with its clock that far back)."""
    then = utcnow() - timedelta(days=days_ago)
    request_support(city.session, proposal, email, "", links=links_for(current_app),
                    language="ja", clock=lambda: then)
    city.session.commit()


def test_the_mail_says_how_long_its_link_works(city, client, db):
    proposal = published(city)
    assert ask(client, proposal).status_code == 202
    [mail] = support_mails(db)
    assert f"このリンクは{CONFIRM_WITHIN.days}日間有効です" in mail.body


def test_a_link_left_a_week_unconfirmed_no_longer_counts(city, client, db):
    proposal = published(city)
    _asked(city, proposal, EMAIL, days_ago=CONFIRM_WITHIN.days + 0.1)
    path = confirm_path(support_mails(db)[-1])
    opened = client.get(path)
    assert opened.status_code == 404
    said = Page(opened.get_data(as_text=True)).text
    assert "リンクの有効期限が過ぎた場合は、提案のページからもう一度" in said
    assert client.post(path).status_code == 404
    assert count_of(client, proposal) == 0


def test_a_link_inside_its_week_still_counts(city, client, db):
    proposal = published(city)
    _asked(city, proposal, EMAIL, days_ago=CONFIRM_WITHIN.days - 0.1)
    assert confirm(client, confirm_path(support_mails(db)[-1])).status_code == 303
    assert count_of(client, proposal) == 1


def test_asking_again_makes_a_fresh_link_with_a_fresh_week(city, client, db):
    proposal = published(city)
    _asked(city, proposal, EMAIL, days_ago=CONFIRM_WITHIN.days + 1)
    old = confirm_path(support_mails(db)[-1])
    assert ask(client, proposal).status_code == 202
    new = confirm_path(support_mails(db)[-1])
    assert client.get(old).status_code == 404
    assert confirm(client, new).status_code == 303
    assert count_of(client, proposal) == 1


def test_the_worker_forgets_expired_addresses_and_keeps_the_rest(city, client, db, run):  # noqa: F811
    proposal = published(city)
    _asked(city, proposal, "expired@example.jp", days_ago=CONFIRM_WITHIN.days + 2)
    _asked(city, proposal, "counted@example.jp", days_ago=30)
    counted = db.execute(select(Support).filter_by(email="counted@example.jp")).scalar_one()
    # confirmed back then, inside its week (the operation with its clock)
    token_mail = next(m for m in support_mails(db) if m.recipient == "counted@example.jp")
    token = confirm_path(token_mail).rsplit("/", 1)[1]
    confirm_support(db, token, clock=lambda: counted.created_at + timedelta(days=1))
    db.commit()
    _asked(city, proposal, "waiting@example.jp", days_ago=1)

    result = run("worker", "--once")
    assert result.exit_code == 0, result.output
    db.expire_all()
    left = db.execute(select(Support.email).order_by(Support.email)).scalars().all()
    assert left == ["counted@example.jp", "waiting@example.jp"]
    recipients = [m.recipient for m in support_mails(db)]
    assert "expired@example.jp" not in recipients and "" in recipients
    blanked = next(m for m in support_mails(db) if m.recipient == "")
    assert blanked.body == "" and "expired@example.jp" not in blanked.subject
    assert count_of(client, proposal) == 1


def test_the_sweep_takes_at_most_a_batch_and_the_oldest_first(city, db):
    proposal = published(city)
    for n in range(3):
        _asked(city, proposal, f"old{n}@example.jp", days_ago=CONFIRM_WITHIN.days + 3 - n)
    assert forget_expired_supports(db, utcnow(), batch=2) == 2
    db.commit()
    assert db.execute(select(Support.email)).scalars().all() == ["old2@example.jp"]
    assert forget_expired_supports(db, utcnow()) == 1
    assert forget_expired_supports(db, utcnow()) == 0


def test_the_sweep_finds_expired_supports_off_their_index(db, is_postgresql):
    oldest = (select(Support.id).where(Support.confirmed_at.is_(None),
                                       Support.created_at <= utcnow() - CONFIRM_WITHIN)
              .order_by(Support.created_at).limit(1000))
    found = plan(db, oldest, is_postgresql)
    assert "ix_supports_unconfirmed" in found, found

