"""Who is involved in each agenda item (SPEC section 7): the liaison meeting reads who is
working on it (its assignee's name, or "unassigned") and, for an item filed under several
departments, which departments besides its lead one — on the printable page, in the CSV
and in the JSON, in Japanese and English; and naming them costs the same few queries
however many items the page holds."""

from __future__ import annotations

import gc

import pytest
from sqlalchemy import select

from intake.models import Department
from intake.office import agenda as office_agenda
from intake.office.spreadsheet import AGENDA_HEADER
from tests import ops as operations
from workflows.calendar import today_jst

from .api_support import API, bearer
from .office_support import read_csv, table_rows
from .staff_support import login, page
from .test_agenda import data_set  # noqa: F401
from .test_query_counts import counted
from .workflow_support import lead, walk

# item → (assignee's display name, None: unassigned; the other departments' codes)
INVOLVED = {
    "triage_late": (None, []),
    "review": ("parks", []),
    "consulted": ("parks", ["roads"]),  # an open opinion request to roads
    "consulted_done": ("parks", []),  # answered: no longer involves roads
    "idea": ("parks", []),
    "transferred": ("roads", ["parks"]),  # parks → roads, filed under roads
    "welfare_late": ("welfare", []),
}
NAMES = {"ja": {"parks": "公園緑地課", "roads": "道路課"},
         "en": {"parks": "Parks Division", "roads": "Roads Division"}}
UNASSIGNED = {"ja": "未割当", "en": "Unassigned"}


def _by_receipt(data_set):  # noqa: F811
    return {data_set[name].receipt: involved for name, involved in INVOLVED.items()}


def test_each_item_knows_its_assignee_and_other_departments(data_set, db):  # noqa: F811
    items = office_agenda.page(db, today_jst(), limit=100).items
    found = {item.proposal.receipt: (item.assignee, [d.code for d in item.departments])
             for item in items}
    assert found == _by_receipt(data_set)


def test_the_api_agenda_names_the_other_departments_and_the_assignee(data_set, city,  # noqa: F811
                                                                     client):
    headers = {**bearer(city.token(city.office_user)), "Accept-Language": "en"}
    body = client.get(f"{API}/agenda", headers=headers).get_json()
    found = {i["proposal"]["receipt"]: ((i["proposal"]["assignee"] or {}).get("name"),
                                        [d["code"] for d in i["other_departments"]])
             for i in body["items"]}
    assert found == _by_receipt(data_set)
    consulted = next(i for i in body["items"]
                     if i["proposal"]["receipt"] == data_set["consulted"].receipt)
    assert consulted["other_departments"] == [{"code": "roads", "name": "Roads Division"}]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_agenda_csv_names_the_assignee_and_the_other_departments(data_set, city,  # noqa: F811
                                                                      client, lang):
    login(client, city.office_user)
    rows = read_csv(client.get(f"/staff/agenda.csv?lang={lang}").get_data())
    assert tuple(rows[0]) == AGENDA_HEADER
    found = {r[0]: dict(zip(AGENDA_HEADER, r, strict=True)) for r in rows[1:]}
    assert set(found) == set(_by_receipt(data_set))
    for receipt, (assignee, others) in _by_receipt(data_set).items():
        row = found[receipt]
        assert row["assignee"] == (assignee or UNASSIGNED[lang])
        assert row["other_department_codes"].split() == others
        assert row["other_departments"] == "".join(NAMES[lang][code] for code in others)
    # the API's download is the same sheet
    api = read_csv(client.get(f"{API}/agenda.csv",
                              headers={**bearer(city.token(city.office_user)),
                                       "Accept-Language": lang}).get_data())
    assert api == rows


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_printable_agenda_names_the_assignee_and_the_other_departments(
        data_set, city, client, lang):  # noqa: F811
    login(client, city.office_user)
    html = page(client.get(f"/staff/agenda?lang={lang}"))
    assert ('<th scope="col" role="columnheader">担当者</th>' if lang == "ja"
            else '<th scope="col" role="columnheader">Assignee</th>') in html
    rows = {receipt: cells for section in table_rows(html, "receipt").values()
            for receipt, cells in section.items()}
    several = {"ja": "複数部署（{}）", "en": "Several departments ({})"}[lang]
    for receipt, (assignee, others) in _by_receipt(data_set).items():
        cells = rows[receipt]
        assert cells[3] == (assignee or UNASSIGNED[lang])
        if others:
            assert several.format("".join(NAMES[lang][c] for c in others)) in cells[-1]
        else:
            assert "（" not in cells[-1] and "(" not in cells[-1]


def test_an_officer_no_longer_active_keeps_their_name_on_their_items(city, db, client):
    proposal = walk(city.session, city.submit()[0], "in_review")
    city.parks_liaison.display_name = ""  # no display name: the address stands for it
    city.parks_liaison.active = False
    city.session.commit()
    (item,) = office_agenda.page(db, today_jst()).items
    assert item.proposal.id == proposal.id and item.assignee == "parks@city.test"


def _involved_items(city, n: int, start: int) -> None:
    """``n`` items, each with an assignee of its own, half transferred parks → roads and
    half asking roads for an opinion: every name and department is read for each."""
    session = city.session
    parks = session.execute(select(Department).where(Department.code == "parks")).scalar_one()
    for i in range(start, start + n):
        liaison = city.user(f"liaison{i}@city.test", "liaison", parks)
        proposal = walk(session, city.submit()[0], "in_review")
        if i % 2:
            operations.transfer_proposal(session, proposal, "roads", lead(proposal),
                                         reason="道路の案件です。")
        else:
            operations.request_opinion(session, proposal, "roads", lead(proposal),
                                       question="道路側の意見をください。")
        session.commit()
        proposal.assignee_id = liaison.id
        session.commit()


def test_naming_them_costs_the_same_queries_however_many_items(city, client, app):
    """One query for the page's assignees, one for its other departments: nothing per
    row, on the page, in the JSON and in both CSV downloads."""
    headers = bearer(city.token(city.office_user))
    login(client, city.office_user)
    assert client.get(f"{API}/agenda", headers=headers).status_code == 200  # token's use
    paths = ("/staff/agenda", "/staff/agenda.csv", f"{API}/agenda", f"{API}/agenda.csv")
    counts = []
    for n, start in ((1, 0), (6, 1)):
        _involved_items(city, n, start)
        for path in paths:  # warm: the reference snapshot, a token's last use
            assert client.get(path, headers=headers).status_code == 200
        # As in a new request: no officer or proposal already in the session's identity
        # map, where a lazy load per row would find its row without a query.
        city.session.expunge_all()
        gc.collect()
        with counted(app.extensions["teian.engine"]) as statements:
            for path in paths:
                response = client.get(path, headers=headers)
                assert response.status_code == 200
                response.get_data()  # the CSV is streamed: read it all
        counts.append(len(statements))
    assert counts[0] == counts[1]
    html = page(client.get("/staff/agenda"))
    assert html.count("liaison") == 7 and html.count("（道路課）") == 4
