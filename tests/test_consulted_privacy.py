"""A department asked for its opinion reads the proposal, not who sent it: the proposer's
name, organization, e-mail and phone are for the lead department and the office
(``access.sees_contact``), on the staff page and in the API detail alike."""

from __future__ import annotations

from .api_support import API, bearer
from .staff_support import ja, login, page
from .test_opinions import ask
from .workflow_support import walk

CONTACT = {"proposer_name": "市民 花子", "organization": "花いっぱいの会",
           "email": "hanako@example.jp", "phone": "090-1111-2222"}


def _consulted(city):
    proposal = walk(city.session, city.submit(
        proposer_name=CONTACT["proposer_name"], organization=CONTACT["organization"],
        email=CONTACT["email"], phone=CONTACT["phone"])[0], "in_deliberation")
    ask(city, proposal, "roads", "歩道側に花壇を置けますか")
    return proposal


def test_the_consulted_department_sees_the_proposal_without_its_contact(city, client, app):
    proposal = _consulted(city)
    login(client, city.roads_primary)
    html = page(client.get(f"/staff/proposals/{proposal.id}"))
    assert proposal.title in html and ja("staff.proposer.consulted") in html
    assert not [value for value in CONTACT.values() if value in html]
    detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                        headers=bearer(city.token(city.roads_primary))).get_json()
    assert {key: detail[key] for key in CONTACT} == dict.fromkeys(CONTACT)
    assert detail["title"] == proposal.title

    lead = app.test_client()  # the lead liaison and the office still see it all
    login(lead, city.parks_liaison)
    html = page(lead.get(f"/staff/proposals/{proposal.id}"))
    assert all(value in html for value in CONTACT.values())
    for user in (city.parks_liaison, city.office_user):
        detail = client.get(f"{API}/proposals/{proposal.id}/detail",
                            headers=bearer(city.token(user))).get_json()
        assert {key: detail[key] for key in CONTACT} == CONTACT
