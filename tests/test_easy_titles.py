"""Published titles with readings on the easy-Japanese pages: suggested by the analyser
in the worker's pass after publication (tests/test_pending_readings.py), stored as ruby
notation, corrected by the lead liaison or the office on
the staff page or through the API (intake/privacy/easy_title.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from intake.i18n import reading_markup
from intake.models import Event, PublishedText
from intake.privacy.pending_readings import give_pending_readings
from tests.factories import publish_as_written

from .api_support import API, bearer
from .staff_support import login, page, reload

TITLE = "協働で大供公園にベンチを置く"
SUGGESTED = "｜協働《きょうどう》で｜大供《だいく》｜公園《こうえん》にベンチを｜置《お》く"


@pytest.fixture
def published(city, db):
    proposal, _token = city.submit(title=TITLE)
    publish_as_written(proposal)  # and the worker's pass
    db.commit()
    return proposal


def post_easy_title(client, proposal, text: str):
    return client.post(f"/staff/proposals/{proposal.id}/easy-title",
                       data={"easy-title-version": proposal.version,
                             "easy-title-title_easy": text})


def easy_page(client, proposal) -> str:
    return page(client.get(f"/proposals/{proposal.id}?lang=ja-easy"))


def test_the_worker_stores_the_analysers_readings(published, db):
    copy = db.get(PublishedText, published.id)
    assert copy.title_easy == SUGGESTED
    assert reading_markup.plain(copy.title_easy) == TITLE


def test_notation_is_rendered_escaped():
    html = str(reading_markup.to_html("｜市《し》の<b>案</b>"))
    assert html == "<ruby>市<rt>し</rt></ruby>の&lt;b&gt;案&lt;/b&gt;"


def test_the_lead_liaison_corrects_a_reading_and_the_public_page_shows_it(
        client, city, published, db):
    login(client, city.parks_liaison)
    staff_page = page(client.get(f"/staff/proposals/{published.id}"))
    assert 'id="action-easy-title"' in staff_page
    assert SUGGESTED in staff_page  # the stored notation, in the form
    corrected = SUGGESTED.replace("｜置《お》く", "｜置《お》く").replace("だいく", "おおとも")
    response = post_easy_title(client, published, corrected)
    assert response.status_code == 302
    assert db.get(PublishedText, published.id).title_easy == corrected
    assert "<ruby>大供<rt>おおとも</rt></ruby>" in easy_page(client, published)
    actions = [e.action for e in db.execute(
        select(Event).where(Event.proposal_id == published.id)).scalars()]
    assert actions[-1] == "easy_title"


@pytest.mark.parametrize(("text", "rule"), [
    ("｜協働《きょうどう》で公園にベンチを置く", "読み方を除くと公開中の題名と同じ"),
    ("｜協働《協働》で大供公園にベンチを置く", "ひらがなかカタカナ"),
    ("｜協働《きょうどう で大供公園にベンチを置く", "組み合わせ"),
])
def test_only_readings_may_change(client, city, published, db, text, rule):
    login(client, city.parks_liaison)
    response = post_easy_title(client, published, text)
    assert response.status_code == 422
    html = page(response)
    assert rule in html and "読み方付きの題名" in html  # the field and the rule, by name
    assert db.get(PublishedText, published.id).title_easy == SUGGESTED


def test_an_empty_text_goes_back_to_the_suggestion(client, city, published, db):
    login(client, city.office_user)
    post_easy_title(client, published, SUGGESTED.replace("だいく", "おおとも"))
    published = reload(db, published)
    assert post_easy_title(client, published, "").status_code == 302
    db.expire_all()
    assert db.get(PublishedText, published.id).title_easy is None  # pending again
    assert "<ruby>" not in easy_page(client, published).split('<h1', 1)[1].split('</h1>')[0]
    give_pending_readings(db)
    db.commit()
    assert db.get(PublishedText, published.id).title_easy == SUGGESTED


def test_another_departments_liaison_may_not(client, city, published, db):
    login(client, city.roads_primary)
    response = post_easy_title(client, published, SUGGESTED)
    assert response.status_code in (403, 404)
    assert "easy_title" not in [e.action for e in db.execute(select(Event)).scalars()]


def test_the_api_twin(client, city, published, db):
    token = city.token(city.office_user)
    url = f"{API}/proposals/{published.id}/easy-title"
    corrected = SUGGESTED.replace("こうえん", "コウエン")
    response = client.post(url, json={"version": published.version, "title_easy": corrected},
                           headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title_easy"] == corrected
    bad = client.post(url, json={"version": published.version, "title_easy": "別の題名"},
                      headers=bearer(token))
    assert bad.status_code == 422
    assert "title_easy" in bad.get_json()["error"]["fields"]


def test_a_new_public_title_gets_new_readings(client, city, published, db):
    login(client, city.office_user)
    post_easy_title(client, published, SUGGESTED.replace("だいく", "おおとも"))
    published = reload(db, published)
    # the office masks part of the published title: the readings follow the new title
    response = client.post(f"/staff/proposals/{published.id}/publication",
                           data={"publication-version": published.version,
                                 "publication-redact": "大供"})
    assert response.status_code == 302
    db.expire_all()
    copy = db.get(PublishedText, published.id)
    assert "大供" not in copy.title
    assert copy.title_easy is None  # the corrected readings read the old title
    give_pending_readings(db)
    db.commit()
    assert reading_markup.plain(copy.title_easy) == copy.title
