"""The public pages: the proposal form, the receipt, the private tracking
page and the published proposals (intake/web/public.py).

The fill timer: the route reads its minimum from
``app.config["TEIAN_MIN_FILL_SECONDS"]`` (default 3 s).  An autouse fixture
sets it to 0 so tests can post at once; ``test_form_sent_too_fast_*`` sets
it back and checks the refusal.  Every POST first GETs the form, like a
browser, and sends back its hidden fields (the signed timer, the CSRF token).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from intake.auth import token_digest
from intake.i18n import LANGUAGES, catalogue, translate
from intake.i18n.furigana import furigana
from intake.models import Comment, Event, OutboxMessage, Proposal, utcnow
from intake.web.public_helpers import jst_date, jst_datetime
from tests import ops as operations
from tests.factories import publish_as_written

from .api_support import (
    ANSWER,
    EXTENSION_REASON,
    QUESTION,
    RULING_REASON,
    TRANSFER_REASON,
    WITHDRAWAL_REASON,
    rate_limited_app,
)
from .factories import VALID_FORM

ROOT = Path(__file__).resolve().parent.parent


# --- reading pages ----------------------------------------------------------------------------


class Page(HTMLParser):
    """What a test needs from a page: controls with their values, labels,
    legends and the visible text (the base text of ruby: its readings, ``<rt>``, left out
    as a reader reads the word once)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.controls: list[dict] = []  # input / select / textarea, with "value" filled in
        self.labels: dict[str, str] = {}  # for= → text
        self.legends: list[str] = []
        self.text_parts: list[str] = []
        self._open: list[tuple[str, dict]] = []
        self._select: dict | None = None
        self._in_reading = 0
        self._glue = False  # text next to a <ruby> is one word with it
        self.feed(source)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag in ("rt", "rp"):
            self._in_reading += 1
        self._glue = tag == "ruby"
        if tag == "input":
            self.controls.append({"tag": tag, **attrs})
        elif tag == "select":
            self._select = {"tag": tag, **attrs, "value": None, "options": []}
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value"))
            if "selected" in attrs:
                self._select["value"] = attrs.get("value")
        if tag in ("label", "legend", "textarea"):
            self._open.append((tag, {**attrs, "text": ""}))

    def handle_endtag(self, tag):
        if tag in ("rt", "rp"):
            self._in_reading -= 1
        self._glue = tag in ("ruby", "rt")
        if tag == "select":
            self._select = None
        if self._open and self._open[-1][0] == tag:
            _tag, attrs = self._open.pop()
            text = attrs["text"]
            if tag == "label":
                self.labels[attrs.get("for", "")] = " ".join(text.split())
            elif tag == "legend":
                self.legends.append(" ".join(text.split()))
            else:
                value = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
                self.controls.append({"tag": "textarea", **attrs, "value": value})

    def handle_data(self, data):
        if self._in_reading:
            return
        for _tag, attrs in self._open:
            attrs["text"] += data
        if self._glue and self.text_parts:
            self.text_parts[-1] += data
        else:
            self.text_parts.append(data)
        self._glue = False

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def named(self, name: str) -> list[dict]:
        return [c for c in self.controls if c.get("name") == name]

    def value(self, name: str) -> str | None:
        """The value a browser would send for ``name``."""
        for control in self.named(name):
            if control.get("type") in ("radio", "checkbox"):
                if "checked" in control:
                    return control.get("value", "on")
            else:
                return control.get("value")
        return None

    def hidden(self) -> dict[str, str]:
        return {c["name"]: c.get("value", "") for c in self.controls
                if c.get("type") == "hidden" and c.get("name")}


def as_shown(message: str, lang: str) -> str:
    """A message as a page's source has it: escaped, and on easy-Japanese pages with its
    readings (ruby)."""
    return str(furigana(message)) if lang == "ja-easy" else html.escape(message)


def form_data(**overrides) -> dict[str, str]:
    """VALID_FORM as a browser sends it: ticked boxes as "y", unticked ones absent."""
    data = {**VALID_FORM, **overrides}
    return {k: ("y" if v is True else v) for k, v in data.items() if v is not False}


def post_proposal(client, data: dict[str, str], **kw):
    """GET the form, then POST ``data`` with the form's hidden fields."""
    hidden = Page(client.get("/propose").get_data(as_text=True)).hidden()
    return client.post("/propose", data={**hidden, **data}, **kw)


def count(db, model) -> int:
    return db.execute(select(func.count()).select_from(model)).scalar_one()


def t(key: str, lang: str = "ja", **params) -> str:
    return translate(key, lang, **params)


@pytest.fixture(autouse=True)
def no_fill_wait(app):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0


@pytest.fixture
def publish(db):
    """Make a proposal public the way the office's publication does:
    ``published_at`` set, committed."""

    def publish(proposal: Proposal, **changes) -> Proposal:
        publish_as_written(proposal)
        for name, value in changes.items():
            setattr(proposal, name, value)
        db.commit()
        return proposal

    return publish


def staff(city, trigger: str, proposal: Proposal, **inputs) -> None:
    operations.fire_trigger(city.session, proposal, trigger,
                            operations.Actor.staff(city.parks_liaison), inputs)
    city.session.commit()


# --- the form ---------------------------------------------------------------------------------

FORM_FIELDS = ("kind", "title", "category", "problem", "proposal", "expected_effect",
               "role_split", "district", "budget_total", "city_share", "language",
               "proposer_type", "proposer_name", "organization", "email", "phone",
               "publish_name", "consent")
RADIO_GROUPS = ("kind", "category", "proposer_type")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_labels_every_field_in_each_language(city, client, lang):
    response = client.get(f"/propose?lang={lang}")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    # Every control a person can reach has a label tied to it by id.
    for control in page.controls:
        if control.get("type") in ("hidden", "submit"):
            continue
        assert control.get("id") in page.labels, f"no label for {control}"
    for name in FORM_FIELDS:
        label = t(f"field.{name}", lang)
        if name in RADIO_GROUPS:
            assert label in page.legends, f"{name}: radio group without its legend"
        else:
            assert page.labels[name] == label
    assert page.labels["category"] == ("Parks and green" if lang == "en" else "公園・緑地")
    assert t("public.propose.theme_not_department", lang) in page.text
    # The honeypot: off-screen, out of the tab order, never autofilled, labelled.
    honeypot = page.named("website")[0]
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"
    assert 'class="hp-field"' in page.source
    assert page.labels["website"] == t("field.website", lang)
    assert page.hidden()["started"]


def test_form_offers_active_themes_in_order_and_todays_districts(city, client, db):
    city.cat_other.sort_order = -1
    city.cat_roads.active = False
    city.district_b.valid_to = datetime(2020, 3, 31).date()
    db.commit()
    page = Page(client.get("/propose").get_data(as_text=True))
    assert [c["value"] for c in page.named("category")] == ["other", "parks", "welfare"]
    assert page.named("district")[0]["options"] == ["city-wide", "d01"]


def test_valid_post_goes_to_the_department_and_shows_the_receipt(city, client, db):
    response = post_proposal(client, form_data())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/submitted")

    proposal = db.execute(select(Proposal)).scalar_one()
    assert proposal.lead_department.code == "parks"
    assert proposal.assignee_id == city.parks_liaison.id
    assert proposal.contact.email == "hanako@example.jp"
    assert proposal.state == "submitted"

    receipt = client.get("/submitted")
    page = receipt.get_data(as_text=True)
    assert receipt.headers["Cache-Control"] == "no-store"
    assert receipt.headers["Referrer-Policy"] == "no-referrer"
    assert proposal.receipt in page
    assert "公園緑地課" in page
    token = re.search(r"http://teian\.test/track/([A-Za-z0-9_-]+)", page).group(1)
    assert token_digest(token) == proposal.tracking_token_hash
    assert t("public.submitted.keep_private") in page


def test_receipt_survives_a_language_switch_then_is_gone_after_half_an_hour(city, client, db):
    """The proposer without e-mail has only this page: switching language or reloading shows
    it again (in the new language); half an hour later (a shared computer) it is gone."""
    assert post_proposal(client, form_data(email="")).status_code == 303
    proposal = db.execute(select(Proposal)).scalar_one()
    first = client.get("/submitted").get_data(as_text=True)
    token = re.search(r"http://teian\.test/track/([A-Za-z0-9_-]+)", first).group(1)

    english = client.get("/submitted?lang=en").get_data(as_text=True)
    assert proposal.receipt in english and f"/track/{token}" in english
    assert t("public.submitted.keep_private", "en") in Page(english).text
    assert t("public.submitted.again", "en") not in Page(english).text
    assert f"/track/{token}" in client.get("/submitted").get_data(as_text=True)  # reload

    with client.session_transaction() as cookie:  # sent 31 minutes ago
        cookie["receipt"] = {**cookie["receipt"], "at": cookie["receipt"]["at"] - 31 * 60}
    late = client.get("/submitted?lang=en").get_data(as_text=True)
    assert token not in late and "/track/" not in late and proposal.receipt not in late
    assert t("public.submitted.again", "en") in Page(late).text
    with client.session_transaction() as cookie:
        assert "receipt" not in cookie  # forgotten, not only hidden


def test_other_theme_goes_to_the_office_triage(city, client, db):
    assert post_proposal(client, form_data(category="other")).status_code == 303
    proposal = db.execute(select(Proposal)).scalar_one()
    assert proposal.lead_department is None
    assert t("public.meta.triage") in client.get("/submitted").get_data(as_text=True)


def test_failed_post_keeps_every_typed_value_and_explains_each_problem(city, client, db):
    typed = form_data(
        title="",
        kind="idea",
        problem="神\ufa19社の前の道が暗い 🌙\n夜は歩けません。",
        proposal="街灯を増やしてください 💡\n特に\u3000神\ufa19社の前に。",
        expected_effect="安心して歩ける",
        role_split="自治会が場所を調べる",
        district="d02",
        budget_total="50000",
        city_share="60000",
        language="en",
        proposer_type="npo",
        proposer_name="神\ufa19田 🌸 花子",
        organization="NPO法人 あかり",
        email="hanako@example.jp",
        phone="090-1234-5678",
        publish_name=True,
        consent=False,
    )
    response = post_proposal(client, typed)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    for name, value in typed.items():
        assert page.value(name) == value, name
    assert "\ufa19" in page.source and "\U0001f338" in page.source
    # The summary links to each field; each field carries its own message.
    title_error = t("error.title.required")
    share_error = t("error.city_share.more_than_total")
    for anchor, message in (("title", title_error), ("city_share", share_error),
                            ("consent", t("error.consent.required"))):
        assert f'<a href="#{anchor}">{html.escape(message)}</a>' in page.source
        assert re.search(rf'id="{anchor}-error">.*{re.escape(html.escape(message))}',
                         page.source)
    assert page.source.count('aria-invalid="true"') == 3
    assert count(db, Proposal) == 0


def test_honeypot_filled_stores_nothing(city, client, db):
    response = post_proposal(client, form_data(website="http://spam.example"))
    assert response.status_code == 422
    assert t("error.spam") in response.get_data(as_text=True)
    assert count(db, Proposal) == 0 and count(db, OutboxMessage) == 0


def test_form_sent_too_fast_stores_nothing(city, client, app, db):
    app.config["TEIAN_MIN_FILL_SECONDS"] = 3
    response = post_proposal(client, form_data())
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert t("error.spam") in page.text
    assert page.value("title") == VALID_FORM["title"]
    assert count(db, Proposal) == 0


def test_form_without_a_valid_timer_stores_nothing(city, client, db):
    response = post_proposal(client, {**form_data(), "started": "forged"})
    assert response.status_code == 422
    assert count(db, Proposal) == 0


def test_post_without_csrf_token_is_refused_with_a_page(city, client, app, db):
    proposal, token = city.submit()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/propose", data=form_data())
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert t("error.csrf") in page.text
    assert page.value("title") == VALID_FORM["title"]  # what they typed is still there
    assert count(db, Proposal) == 1

    response = client.post(f"/track/{token}/withdraw", data={"confirm": "y"})
    assert response.status_code == 400
    assert t("error.csrf") in response.get_data(as_text=True)
    db.expire_all()
    assert proposal.state == "submitted"


# Rate limits: tests/test_rate_limits.py.


# --- the tracking page -----------------------------------------------------------------------


def test_tracking_page_shows_state_history_and_stays_private(city, client):
    proposal, token = city.submit()
    staff(city, "accept", proposal)
    response = client.get(f"/track/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    page = Page(response.get_data(as_text=True))
    assert proposal.receipt in page.text and proposal.title in page.text
    assert "検討中" in page.text
    assert t("public.timeline.submit") in page.text
    assert t("public.timeline.route", department="公園緑地課") in page.text
    assert t("public.timeline.step.accept") in page.text
    assert city.parks_liaison.email not in page.source  # departments, never officers
    assert page.named("confirm"), "withdrawing is offered"
    assert not [c for c in page.controls if c.get("id") == "provide_info-text"]


def test_proposer_answers_the_question_through_the_tracking_page(city, client, db):
    proposal, token = city.submit()
    staff(city, "accept", proposal)
    staff(city, "request_info", proposal, question="花壇はどこに作る想定ですか？")
    page = client.get(f"/track/{token}").get_data(as_text=True)
    assert t("public.track.question_title") in page and "花壇はどこに作る想定ですか？" in page

    refused = client.post(f"/track/{token}/provide_info", data={"text": "  "})
    assert refused.status_code == 422
    assert t("error.required", field="回答") in refused.get_data(as_text=True)
    db.expire_all()
    assert proposal.state == "awaiting_proposer"
    # An answer is held to the length every door holds a transition's text to, and the
    # page says so, keeping what was typed; the box itself says the limit first.
    from workflows.engine import TEXT_MAX
    assert f'maxlength="{TEXT_MAX}"' in page
    too_long = "北" * (TEXT_MAX + 1)
    refused = client.post(f"/track/{token}/provide_info", data={"text": too_long})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert t("error.length_max", field="回答", max=TEXT_MAX, length=TEXT_MAX + 1) in body
    assert too_long in body
    db.expire_all()
    assert proposal.state == "awaiting_proposer"

    answered = client.post(f"/track/{token}/provide_info", data={"text": "公園の北側です。"})
    assert answered.status_code == 303
    assert answered.headers["Location"].endswith(f"/track/{token}")
    db.expire_all()
    assert proposal.state == "in_review"
    page = client.get(f"/track/{token}").get_data(as_text=True)
    assert t("public.track.done.provide_info") in page
    assert "公園の北側です。" in page  # the answer is in the history
    assert t("public.track.question_title") not in page


def test_proposer_withdraws_only_after_confirming(city, client, db):
    proposal, token = city.submit()
    unconfirmed = client.post(f"/track/{token}/withdraw", data={"text": "引っ越します"})
    assert unconfirmed.status_code == 422
    page = Page(unconfirmed.get_data(as_text=True))
    assert t("public.track.confirm_required") in page.text
    assert page.value("text") == "引っ越します"
    db.expire_all()
    assert proposal.state == "submitted"

    done = client.post(f"/track/{token}/withdraw", data={"text": "引っ越します", "confirm": "y"})
    assert done.status_code == 303
    db.expire_all()
    assert proposal.state == "withdrawn"
    page = client.get(f"/track/{token}").get_data(as_text=True)
    assert "取り下げ" in page and "引っ越します" in page
    assert t("public.track.done.withdraw") in page
    assert f"/track/{token}/withdraw" not in page  # nothing left to do


def test_action_not_open_to_the_proposer_is_refused_in_words(city, client, db):
    proposal, token = city.submit()
    for trigger in ("accept", "explode"):
        response = client.post(f"/track/{token}/{trigger}", data={})
        assert response.status_code in (403, 422)
        assert t("public.track.error.not_allowed") in response.get_data(as_text=True)
    db.expire_all()
    assert proposal.state == "submitted"


def test_unknown_or_stale_token_gets_a_404_that_says_nothing(city, client):
    _proposal, token = city.submit()
    for url in ("/track/not-a-token", f"/track/{token[:-1]}", f"/track/{token}x"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.headers["Referrer-Policy"] == "no-referrer"
        # The same page for every such token: nothing says whether a proposal exists.
        assert t("public.track.unknown.title") in response.get_data(as_text=True)
    assert client.post("/track/not-a-token/withdraw", data={"confirm": "y"}).status_code == 404


# --- published proposals -----------------------------------------------------------------------

SECRETS = dict(proposer_name="秘密 太郎", organization="ひみつの会",
               email="secret.taro@example.jp", phone="090-9999-8888")


def assert_no_personal_data(text: str) -> None:
    for value in SECRETS.values():
        assert value not in text


def test_public_pages_never_show_personal_data(city, client, publish):
    proposal, _token = city.submit(proposer_type="npo", publish_name=False, **SECRETS)
    publish(proposal)
    for url in ("/", "/proposals", f"/proposals/{proposal.id}", f"/proposals?q={proposal.title}"):
        page = client.get(url).get_data(as_text=True)
        assert proposal.title in page
        assert_no_personal_data(page)


def test_proposer_is_named_only_with_consent(city, client, publish):
    group, _ = city.submit(proposer_type="npo", publish_name=True, **SECRETS)
    person, _ = city.submit(publish_name=True, proposer_name="公開 花子", organization="")
    publish(group)
    publish(person)
    group_page = client.get(f"/proposals/{group.id}").get_data(as_text=True)
    assert "ひみつの会" in group_page and "秘密 太郎" not in group_page
    assert "secret.taro@example.jp" not in group_page
    assert "公開 花子" in client.get(f"/proposals/{person.id}").get_data(as_text=True)


def test_unpublished_and_withheld_proposals_are_404_and_unlisted(city, client, publish):
    hidden, _ = city.submit(title="まだ公開しない提案")
    withheld, _ = city.submit(title="保留された提案")
    publish(withheld, withheld_reason="個人が特定されるため")
    for proposal in (hidden, withheld):
        assert client.get(f"/proposals/{proposal.id}").status_code == 404
    listing = client.get("/proposals").get_data(as_text=True)
    assert "まだ公開しない提案" not in listing and "保留された提案" not in listing
    assert client.get("/proposals/999999").status_code == 404


def test_list_filters_and_pages_by_cursor(city, client, publish):
    for n in range(23):
        publish(city.submit(title=f"公園の提案 第{n:02d}号")[0])
    roads = publish(city.submit(title="道路の提案 ひとつだけ", category="roads")[0])

    first = Page(client.get("/proposals").get_data(as_text=True))
    assert first.text.count("公園の提案 第") == 19 and "道路の提案" in first.text
    next_url = html.unescape(re.search(r'href="([^"]*cursor=[^"]+)"', first.source).group(1))
    second = Page(client.get(next_url).get_data(as_text=True))
    assert second.text.count("公園の提案 第") == 4
    assert 'rel="next"' not in second.source
    assert "公園の提案 第00号" in second.text

    by_theme = client.get("/proposals?category=roads").get_data(as_text=True)
    assert roads.title in by_theme and "公園の提案" not in by_theme
    by_words = client.get("/proposals?q=第07号").get_data(as_text=True)
    assert "第07号" in by_words and "第08号" not in by_words
    assert "公園の提案" not in client.get("/proposals?state=adopted").get_data(as_text=True)
    kept = Page(client.get("/proposals?category=roads&q=道路").get_data(as_text=True))
    assert kept.value("category") == "roads" and kept.value("q") == "道路"


@pytest.mark.parametrize(("query", "label"), [
    ("state=nonsense", "public.meta.state"), ("category=nonsense", "field.category"),
    ("district=nonsense", "field.district"), ("department=nonsense", "public.meta.department"),
])
def test_a_filter_value_no_list_offers_is_named_not_answered_with_nothing(city, client,
                                                                            query, label):
    """An old bookmark or a typo: the page says which filter, and links to the list."""
    response = client.get(f"/proposals?{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f"「{t(label)}」の選択肢から選んでください。" in text
    assert f'href="/proposals">{t("public.list.first_page")}<' in text


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_a_refused_list_address_has_a_plain_title(city, client, lang):
    """Not the general 400 page's 「リクエストを処理できませんでした」 (jargon)."""
    for query in ("category=zzz", "cursor=garbage!", "q=" + "あ" * 101):
        response = client.get(f"/proposals?{query}&lang={lang}&ruby=off")
        assert response.status_code == 400
        page = Page(response.get_data(as_text=True))
        assert f"<h1 class=\"heading-xl\">{t('public.list.refused_title', lang)}</h1>" \
            in page.source, query
        assert t("public.error.bad_request.title", lang) not in page.text
    refused = Page(client.get(f"/proposals?category=zzz&lang={lang}&ruby=off")
                   .get_data(as_text=True)).text
    assert t("field.category", lang) in refused


def test_the_whole_city_and_a_known_state_are_filters_not_mistakes(city, client, publish):
    assert client.get("/proposals?district=city-wide").status_code == 200
    assert client.get("/proposals?state=rejected").status_code == 200


def test_the_public_page_names_the_texts_without_the_forms_optional(city, client, publish):
    proposal, token = city.submit(budget_total=50000, city_share=20000)
    publish(proposal)
    page_text = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    texts = page_text[:page_text.index("地域の交流が増えます。")]  # the texts' headings, before
    assert t("shown.expected_effect") in texts and "任意" not in texts
    # The proposer's own page lists the figures they gave, named plainly too.
    tracking = Page(client.get(f"/track/{token}").get_data(as_text=True)).text
    assert f"{t('shown.budget_total')} 50,000円" in tracking
    assert t('field.budget_total') not in tracking


@pytest.mark.parametrize("cursor", ["garbage!", "W10", "WyJ4Il0", "e30"])
def test_bad_cursor_is_a_400_page_not_a_500(city, client, cursor):
    response = client.get(f"/proposals?cursor={cursor}")
    assert response.status_code == 400
    assert t("public.list.bad_cursor") in response.get_data(as_text=True)
    # It says to start from the list's first page: a link takes the visitor there.
    assert f'href="/proposals">{t("public.list.first_page")}<' in response.get_data(as_text=True)


def test_detail_shows_texts_timeline_sessions_visible_comments_and_ruling(city, client, db):
    problem = "一行目の課題です。十分な長さの説明をここに書きます。\n二行目の課題です。"
    proposal, _ = city.submit(problem=problem)
    staff(city, "accept", proposal)
    staff(city, "open_deliberation", proposal)
    # Deliberation opened in spring (a session is not held before that day).
    proposal.state_entered_at = datetime(2026, 5, 1, tzinfo=UTC)
    operations.record_session(
        db, proposal, operations.Actor.staff(city.parks_liaison),
        held_at=datetime(2026, 5, 10, 1, 0, tzinfo=UTC), place="中央公民館", online=False,
        agenda="花壇の位置について", minutes="北側に決まりました。", participants=12,
    )
    operations.add_comment(db, proposal, name="近所の人", body="賛成です。")
    hidden = operations.add_comment(db, proposal, name="", body="不適切な投稿")
    operations.hide_comment(db, hidden, operations.Actor.staff(city.office_user),
                            reason="誹謗中傷のため")
    db.commit()
    staff(city, "adopt", proposal, reason="地域の協力が得られるため採択します。")

    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert html.escape(problem) in page.source  # line breaks kept (shown by pre-wrap)
    assert "公園緑地課" in page.text
    assert t("public.proposal.ruling", decision="採択") in page.text
    assert "地域の協力が得られるため採択します。" in page.text
    assert "中央公民館" in page.text and "花壇の位置について" in page.text
    assert "北側に決まりました。" in page.text and t("public.session.people", count=12) in page.text
    assert "2026年5月10日（日） 10:00" in page.text  # 01:00 UTC is 10:00 in Japan
    assert "賛成です。" in page.text and "不適切な投稿" not in page.text
    assert t("public.comment.hidden", reason="誹謗中傷のため") in page.text
    assert t("public.timeline.step.open_deliberation") in page.text
    assert count(db, Comment) == 2


def test_dates_are_shown_in_japan_time(city, client, db, publish):
    proposal, _ = city.submit()
    publish(proposal, submitted_at=datetime(2025, 12, 31, 15, 30, tzinfo=UTC))
    assert "2026年1月1日（木）" in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    english = client.get(f"/proposals/{proposal.id}?lang=en").get_data(as_text=True)
    assert "Thu 1 January 2026" in english


def test_start_page_links_the_form_and_shows_the_five_newest(city, client, publish):
    for n in range(6):
        publish(city.submit(title=f"公開された提案その{n}")[0])
    page = client.get("/").get_data(as_text=True)
    assert 'href="/propose"' in page and 'href="/proposals"' in page
    assert "協働のまちづくり条例" in page
    assert all(f"公開された提案その{n}" in page for n in range(1, 6))
    assert "公開された提案その0" not in page


# --- reasons: what the city publishes, what stays between it and the proposer -------------------


def as_proposer(db, trigger: str, proposal: Proposal, **inputs) -> None:
    operations.fire_trigger(db, proposal, trigger, operations.PROPOSER, inputs)
    db.commit()


def reasoned_history(city, db) -> tuple[Proposal, str, date, date]:
    """A published proposal that was asked a question and answered it, was transferred
    to roads, had its deadline extended and was rejected, each with its reason."""
    proposal, token = city.submit()
    staff(city, "accept", proposal)
    staff(city, "request_info", proposal, question=QUESTION)
    as_proposer(db, "provide_info", proposal, answer=ANSWER)
    operations.transfer_proposal(db, proposal, "roads",
                                 operations.Actor.staff(city.parks_liaison),
                                 reason=TRANSFER_REASON)
    db.commit()
    old_due = proposal.due_on
    new_due = old_due + timedelta(days=14)
    operations.extend_deadline(db, proposal, operations.Actor.staff(city.roads_primary),
                               due_on=new_due, reason=EXTENSION_REASON)
    db.commit()
    operations.fire_trigger(db, proposal, "reject", operations.Actor.staff(city.roads_primary),
                            {"reason": RULING_REASON, "reason_code": "unlawful"})
    db.commit()
    return proposal, token, old_due, new_due


def reasons_in_the_timeline(page: Page) -> list[str]:
    return [html.unescape(m) for m in
            re.findall(r'<p class="timeline-reason prose-text"[^>]*>([^<]*)</p>', page.source)]


def test_public_page_shows_transfer_extension_and_ruling_reasons_but_no_question(
        city, client, db):
    proposal, _token, old_due, new_due = reasoned_history(city, db)
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert reasons_in_the_timeline(page) == [TRANSFER_REASON, EXTENSION_REASON, RULING_REASON]
    assert t("public.timeline.transfer", source="公園緑地課", target="道路課") in page.text
    assert t("public.timeline.extend", source=jst_date(old_due),
             target=jst_date(new_due)) in page.text
    # The question and the answer are steps of the history, without their texts.
    assert t("public.timeline.step.request_info") in page.text
    for private in (QUESTION, ANSWER):
        assert private not in page.source and html.escape(private) not in page.source


def test_tracking_page_shows_the_proposer_every_reason(city, client, db):
    proposal, token, _old, _new = reasoned_history(city, db)
    page = Page(client.get(f"/track/{token}").get_data(as_text=True))
    assert reasons_in_the_timeline(page) == [QUESTION, ANSWER, TRANSFER_REASON,
                                             EXTENSION_REASON, RULING_REASON]


def test_withdrawal_reason_stays_off_the_public_page(city, client, db):
    proposal, token = city.submit()
    staff(city, "accept", proposal)
    as_proposer(db, "withdraw", proposal, reason=WITHDRAWAL_REASON)
    public = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert "取り下げ" in public.text and WITHDRAWAL_REASON not in public.source
    assert reasons_in_the_timeline(public) == []
    assert WITHDRAWAL_REASON in client.get(f"/track/{token}").get_data(as_text=True)


# --- comments on the public page --------------------------------------------------------------


def in_deliberation(city) -> Proposal:
    proposal, _token = city.submit()
    staff(city, "accept", proposal)  # accepting publishes
    staff(city, "open_deliberation", proposal)
    return proposal


def post_comment(client, proposal: Proposal, data: dict[str, str], **kw):
    """GET the proposal page, then POST ``data`` with the comment form's hidden fields."""
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    return client.post(f"/proposals/{proposal.id}/comments", data={**page.hidden(), **data},
                       **kw)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_comment_form_is_labelled_and_offered_in_deliberation(city, client, lang):
    proposal = in_deliberation(city)
    page = Page(client.get(f"/proposals/{proposal.id}?lang={lang}").get_data(as_text=True))
    assert page.labels["name"] == t("public.comment.name", lang)
    assert page.labels["body"] == t("public.comment.body", lang)
    assert page.labels["website"] == t("field.website", lang)  # the honeypot, labelled
    assert page.named("website")[0]["tabindex"] == "-1"
    assert page.hidden()["started"]
    assert t("public.comment.closed", lang) not in page.text


def test_citizen_comments_through_the_public_page(city, client, db):
    proposal = in_deliberation(city)
    response = post_comment(client, proposal, {"name": " 北区の住民 ", "body": " 賛成です 🌷 "})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/proposals/{proposal.id}#comments")
    stored = db.execute(select(Comment)).scalar_one()
    assert (stored.proposal_id, stored.name, stored.body) == (proposal.id, "北区の住民",
                                                              "賛成です 🌷")
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert t("public.comment.thanks") in page.text
    assert "北区の住民" in page.text and "賛成です 🌷" in page.text
    assert post_comment(client, proposal, {"body": "名前なしの意見"}).status_code == 303
    assert t("public.comment.anonymous") in client.get(f"/proposals/{proposal.id}").get_data(
        as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_refused_comment_names_each_field_and_keeps_what_was_typed(city, client, db, lang):
    proposal = in_deliberation(city)
    typed = {"name": "名" * 101, "body": "   "}
    response = post_comment(client, proposal, typed, query_string={"lang": lang})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    name_error = t("error.comment.name.length", lang, max=100, length=101)
    body_error = t("error.comment.body.required", lang)
    for anchor, message in (("name", name_error), ("body", body_error)):
        shown = as_shown(message, lang)
        assert f'<a href="#{anchor}">{shown}</a>' in page.source
        assert re.search(rf'id="{anchor}-error">.*{re.escape(shown)}', page.source)
    assert page.value("name") == typed["name"]
    too_long = post_comment(client, proposal, {"body": "あ" * 2001})
    assert too_long.status_code == 422
    assert Page(too_long.get_data(as_text=True)).value("body") == "あ" * 2001
    assert count(db, Comment) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_same_comment_posted_again_is_refused_with_a_clear_message(city, client, db, lang):
    proposal = in_deliberation(city)
    same = {"name": "北区の住民", "body": "花壇に賛成です。"}
    assert post_comment(client, proposal, same).status_code == 303
    again = post_comment(client, proposal, same, query_string={"lang": lang})
    assert again.status_code == 409
    page = Page(again.get_data(as_text=True))
    assert t("staff.error.duplicate_comment", lang) in page.text
    assert page.value("body") == "花壇に賛成です。"  # what was typed is kept
    assert count(db, Comment) == 1


def test_comment_of_exactly_2000_characters_is_accepted_on_the_page(city, client, db):
    proposal = in_deliberation(city)
    assert post_comment(client, proposal, {"body": "あ" * 2000}).status_code == 303
    assert count(db, Comment) == 1


def test_comment_honeypot_or_haste_stores_nothing(city, client, app, db):
    proposal = in_deliberation(city)
    response = post_comment(client, proposal, {"body": "安い時計あります", "website": "x"})
    assert response.status_code == 422
    assert t("error.spam") in response.get_data(as_text=True)
    app.config["TEIAN_MIN_FILL_SECONDS"] = 3
    response = post_comment(client, proposal, {"body": "すぐに送った意見"})
    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).value("body") == "すぐに送った意見"
    assert count(db, Comment) == 0


def test_comments_are_closed_outside_deliberation(city, client, db, publish):
    proposal, _token = city.submit()
    publish(proposal)
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert t("public.comment.closed") in page.text
    assert not page.named("body") and not page.named("website")
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": "賛成です"})
    assert response.status_code == 409
    assert t("public.comment.error.closed") in response.get_data(as_text=True)
    assert count(db, Comment) == 0


def test_comment_period_set_by_the_liaison_shows_when_it_ends_and_ended(city, client, db):
    proposal = in_deliberation(city)
    until = utcnow() + timedelta(days=3)
    operations.set_comment_period(db, proposal, operations.Actor.staff(city.parks_liaison),
                                  ends_at=until)
    db.commit()
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert t("public.comment.open_until", date=jst_datetime(until)) in page.text
    assert page.named("body")

    form = page.hidden()
    proposal.comments_until = ended = utcnow() - timedelta(minutes=1)
    db.commit()
    page = Page(client.get(f"/proposals/{proposal.id}").get_data(as_text=True))
    assert t("public.comment.closed_on", date=jst_datetime(ended)) in page.text
    assert not page.named("body")
    # A form loaded while it was open and sent after the end is refused in words.
    late = client.post(f"/proposals/{proposal.id}/comments", data={**form, "body": "遅れた意見"})
    assert late.status_code == 409
    assert t("public.comment.error.closed") in late.get_data(as_text=True)
    assert count(db, Comment) == 0


def test_hidden_comment_body_is_on_no_public_page_or_answer(city, client, db):
    proposal = in_deliberation(city)
    operations.add_comment(db, proposal, name="荒らし", body="隠される本文です")
    kept = operations.add_comment(db, proposal, name="", body="残る本文です")
    hidden = db.execute(select(Comment).where(Comment.id != kept.id)).scalar_one()
    operations.hide_comment(db, hidden, operations.Actor.staff(city.office_user),
                            reason="誹謗中傷のため")
    db.commit()
    for url in (f"/proposals/{proposal.id}", f"/api/v1/proposals/{proposal.id}"):
        body = client.get(url).get_data(as_text=True)
        assert "残る本文です" in body
        assert "隠される本文です" not in body and "荒らし" not in body
        # In its place: that the office hid it, and why (SPEC section 5).
        assert "誹謗中傷のため" in body
    # The hiding is in the audit log, with its reason.
    hides = db.execute(select(Event).where(Event.action == "comment_hide")).scalars().all()
    assert [(e.proposal_id, e.reason, e.data["comment"]) for e in hides] == [
        (proposal.id, "誹謗中傷のため", hidden.id)]


def test_comment_without_csrf_token_is_refused_with_the_text_kept(city, client, app, db):
    proposal = in_deliberation(city)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/proposals/{proposal.id}/comments", data={"body": "消えない意見"})
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert t("error.csrf") in page.text
    assert page.value("body") == "消えない意見"
    assert count(db, Comment) == 0


def test_sixth_comment_within_a_minute_gets_a_friendly_429(database_url, tmp_path):
    from .factories import Factory

    with rate_limited_app(database_url, tmp_path) as limited:
        limited.config["TEIAN_MIN_FILL_SECONDS"] = 0
        city = Factory(limited.extensions["teian.session"]())
        city.small_city()
        proposal = in_deliberation(city)
        client = limited.test_client()
        statuses = [post_comment(client, proposal, {"body": f"意見その{n}"}).status_code
                    for n in range(6)]
        assert statuses == [303] * 5 + [429]
        page = Page(post_comment(client, proposal, {"body": "まだ書きたい"}).get_data(
            as_text=True))
        # The per-minute limit was reached: it resets within the minute.
        assert t("public.comment.too_many", minutes=1) in page.text
        assert page.value("body") == "まだ書きたい"


@pytest.mark.parametrize("url", ["/propose", "/proposals/{id}/comments"])
def test_posted_nul_is_a_400_page_not_a_500(city, client, db, url):
    proposal = in_deliberation(city)
    data = {**form_data(), "body": "意見\x00です"} if "comments" in url else form_data(
        title="街灯の\x00提案です")
    response = client.post(url.format(id=proposal.id), data=data)
    assert response.status_code == 400
    assert t("public.error.characters") in response.get_data(as_text=True)
    assert count(db, Proposal) == 1 and count(db, Comment) == 0


def test_an_id_beyond_any_proposal_is_a_404_page(city, client):
    for url in ("/proposals/99999999999999999999999", "/proposals/0"):
        assert client.get(url).status_code == 404
    response = client.post("/proposals/99999999999999999999999/comments", data={"body": "x"})
    assert response.status_code == 404


# --- every page, every language ----------------------------------------------------------------

UNTRANSLATED = re.compile(r"\b(?:public|field|error|site)\.[a-z_]+(?:\.[a-z_]+)*\b")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_works_in_each_language(city, client, publish, lang):
    proposal, token = city.submit()
    publish(proposal)
    urls = ["/", "/propose", "/proposals", f"/proposals/{proposal.id}", f"/track/{token}",
            "/submitted", "/track/unknown"]
    for url in urls:
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == (404 if url == "/track/unknown" else 200), url
        page = Page(response.get_data(as_text=True))
        assert f'<html lang="{"en" if lang == "en" else "ja"}">' in page.source
        assert t("public.nav.proposals", lang) in page.text
        assert not UNTRANSLATED.search(page.text), (url, UNTRANSLATED.search(page.text))
    assert client.get_cookie("lang").value == lang


def test_language_switcher_keeps_the_filters(city, client):
    page = client.get("/proposals?category=parks&q=花壇").get_data(as_text=True)
    link = re.search(r'href="(/proposals\?[^"]*lang=en[^"]*)"', page).group(1)
    assert "category=parks" in link and "q=" in link


def test_catalogue_has_every_key_the_public_pages_use():
    sources = [ROOT / "templates/base.html", ROOT / "templates/_form_macros.html",
               *sorted((ROOT / "templates/public").glob("*.html")),
               ROOT / "intake/web/public.py"]
    keys = set()
    for path in sources:
        text = path.read_text()
        keys |= set(re.findall(r"""_\(\s*['"]([a-z_.-]+[a-z_])['"]""", text))
        keys |= set(re.findall(r"""_t\(\s*['"]([a-z_.-]+[a-z_])['"]""", text))
        keys |= set(re.findall(r"""translate\(\s*['"]([a-z_.-]+[a-z_])['"]""", text))
        # keys named in data (the menu in base.html): two dots or more, unlike endpoints
        keys |= set(re.findall(r"""['"](public\.[a-z_]+\.[a-z_.]*[a-z_])['"]""", text))
    messages = catalogue()
    missing = sorted(k for k in keys if k not in messages)
    assert not missing
    untranslated = sorted(k for k in keys if k.startswith("public.") and k != "public.months"
                          and not all(messages[k].get(lang) for lang in LANGUAGES))
    assert not untranslated


@pytest.mark.parametrize(("typed", "stored"), [
    ("5万円", 50000), ("１．５万", 15000), ("1億2000万円", 120000000), ("1万5000", 15000),
    ("¥30,000", 30000), ("30,000円", 30000), ("￥３０，０００", 30000), ("¥ 30,000円", 30000),
])
def test_an_amount_in_the_units_people_write_is_read_as_yen(city, client, db, typed, stored):
    response = post_proposal(client, form_data(budget_total=typed, city_share="1万"))
    assert response.status_code == 303, Page(response.get_data(as_text=True)).text
    proposal = db.execute(select(Proposal)).scalar_one()
    assert (proposal.budget_total, proposal.city_share) == (stored, 10000)


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_a_negative_amount_is_told_it_must_be_0_or_more(city, client, lang):
    response = post_proposal(client, form_data(budget_total="-5000", city_share="－１万"),
                             query_string={"lang": lang})
    assert response.status_code == 422
    text = Page(response.get_data(as_text=True)).text
    for name in ("budget_total", "city_share"):
        assert t(f"error.{name}.negative", lang) in text
        assert t(f"error.{name}.invalid", lang) not in text


def test_the_amount_fields_take_what_their_hint_offers_on_a_phone(client):
    """The hint offers 5万: a digits-only keypad (inputmode="numeric") could not type it."""
    page = Page(client.get("/propose").get_data(as_text=True))
    for name in ("budget_total", "city_share"):
        (control,) = page.named(name)
        assert control.get("inputmode") in (None, "text"), control
    assert "5万" in t("public.propose.hint.yen")


def test_an_amount_in_units_that_is_not_whole_yen_is_refused_naming_the_field(city, client):
    response = post_proposal(client, form_data(budget_total="1.23456万円"))
    assert response.status_code == 422
    assert t("error.budget_total.invalid") in Page(response.get_data(as_text=True)).text
