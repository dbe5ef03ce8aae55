"""Staff see why an action is not possible yet before they click, never an internal code;
and links follow the address the server is reached at when TEIAN_BASE_URL is unset."""

from __future__ import annotations

import dataclasses
import re

from sqlalchemy import select

from intake.models import OutboxMessage

from .staff_support import advanced, ja, login, page, post_action
from .test_web_public import form_data, post_proposal

CODES = ("deliberation_recorded", "opinions_settled", "input:", "チェック", "check:")


def test_an_adoption_without_a_deliberation_record_says_so_before_the_click(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    text = page(client.get(f"/staff/proposals/{proposal.id}"))
    adopt = text[text.index('id="action-trigger-adopt"'):]
    adopt = adopt[:adopt.index("</form>")]
    assert ja("staff.guard.deliberation_recorded") in adopt
    assert re.search(r"<button[^>]*disabled", adopt)
    assert not any(code in text for code in CODES)


def test_a_refused_input_is_worded_without_codes(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "request_info", question="  ")
    assert response.status_code == 422
    text = page(response)
    assert ja("staff.error.field.required", field="質問") in text
    assert not any(code in text for code in CODES)


def test_without_a_base_url_links_follow_the_address_the_visitor_reached(app, city):
    app.config["TEIAN"] = dataclasses.replace(app.config["TEIAN"], base_url="")
    app.config["TEIAN_MIN_FILL_SECONDS"] = 0
    client = app.test_client()
    response = post_proposal(client, form_data(), base_url="http://127.0.0.1:5123",
                             follow_redirects=True)
    assert response.status_code == 200
    assert "http://127.0.0.1:5123/track/" in page(response)
    receipt = city.session.execute(
        select(OutboxMessage).where(OutboxMessage.kind == "receipt")).scalar_one()
    assert "http://127.0.0.1:5123/track/" in receipt.body


def test_an_action_that_ends_the_proposal_needs_the_confirmation_tick(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    unticked = post_action(client, proposal, "reject", confirm=False, reason="対象外です",
                           reason_code="out_of_scope")
    assert unticked.status_code == 422
    assert ja("staff.error.confirm") in page(unticked)
    moved = post_action(client, proposal, "transfer", confirm=False, department="roads",
                        reason="道路の案件です。")
    assert moved.status_code == 422
    assert city.session.get(type(proposal), proposal.id).state == "in_review"
    ticked = post_action(client, proposal, "reject", reason="対象外です",
                         reason_code="out_of_scope")
    assert ticked.status_code == 302


def _summary(response) -> str:
    text = page(response)
    start = text.index('class="error-summary"')
    return text[start:text.index("</div>", start)]


def test_a_missing_tick_and_a_missing_reason_are_told_in_one_answer(client, city):
    # A rejection without the tick and without its reason: both are said at once (the
    # summary named the tick alone, and the reason came after it was ticked).
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", confirm=False, reason="")
    assert response.status_code == 422
    summary = _summary(response)
    assert ja("staff.error.confirm") in summary
    assert ja("staff.error.field.required", field="理由") in summary
    assert city.session.get(type(proposal), proposal.id).state == "in_deliberation"


def test_a_missing_field_and_an_unmet_guard_are_told_in_one_answer(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "adopt", reason="")
    assert response.status_code == 422
    summary = _summary(response)
    assert ja("staff.error.field.required", field="理由") in summary
    assert ja("staff.guard.deliberation_recorded") in summary
    # The reason is missing for the form and for the engine alike: said once.
    assert summary.count(ja("staff.error.field.required", field="理由")) == 1


def test_a_stale_page_with_a_missing_tick_is_told_it_is_stale(client, city):
    proposal = advanced(city, "accept")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", confirm=False, reason="対象外です",
                           reason_code="out_of_scope", version=proposal.version - 1)
    assert response.status_code == 409
    summary = _summary(response)
    assert ja("staff.error.confirm") in summary and ja("staff.error.conflict") in summary


def _summary_items(response) -> list[tuple[str | None, str]]:
    """The error summary's items: where each links (None: no link) and its text."""
    items = re.findall(r"<li>(.*?)</li>", _summary(response), re.S)
    found = []
    for item in items:
        link = re.search(r'<a href="#([^"]+)">(.*?)</a>', item, re.S)
        found.append((link.group(1), link.group(2).strip()) if link else (None, item.strip()))
    return found


def test_several_problems_are_listed_one_an_item_each_linking_to_its_field(client, city):
    """The missing tick and the missing reason: two items, not one line joining them —
    the first leading to the tick box, the second to the reason's box; beside the form
    each is a line of its own too."""
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", confirm=False, reason="")
    text = page(response)
    tick, reason = _summary_items(response)
    assert tick[1] == ja("staff.error.confirm")
    assert reason[1] == ja("staff.error.field.required", field="理由")
    assert re.search(rf'<input type="checkbox" name="confirm" id="{tick[0]}"', text)
    assert re.search(rf'<textarea[^>]*id="{reason[0]}"[^>]*name="[^"]*reason"', text)
    beside = text.split('id="action-trigger-reject"')[1].split("</summary>")[0]
    assert re.findall(r'<span class="error-message">([^<]*)</span>', beside) == \
        [tick[1], reason[1]]


def test_a_field_and_the_operations_check_are_two_items(client, city):
    """A missing reason (its field) and an unmet guard (no field: the form's place)."""
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "adopt", reason="")
    reason, guard = _summary_items(response)
    assert reason[1] == ja("staff.error.field.required", field="理由")
    assert f'id="{reason[0]}"' in page(response) and reason[0] != "action-trigger-adopt"
    assert guard[0] == "action-trigger-adopt"
    assert guard[1].endswith(ja("staff.guard.deliberation_recorded"))


def test_one_problem_stays_one_item(client, city):
    proposal = advanced(city, "accept", "open_deliberation")
    login(client, city.parks_liaison)
    response = post_action(client, proposal, "reject", reason="")
    [(place, said)] = _summary_items(response)
    assert said == ja("staff.error.field.required", field="理由")
    assert place != "action-trigger-reject" and f'id="{place}"' in page(response)
