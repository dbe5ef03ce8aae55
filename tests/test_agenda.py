"""The liaison-meeting agenda (SPEC section 7) on a fixed data set: exactly the open
proposals that involve several departments (an open opinion request, a transfer), are
overdue, or wait for a ruling (a state a ruling transition leaves, per the workflow
files) — grouped by department, the same in JSON, CSV and on the printable page; a
liaison's agenda is their department's; the CSV downloads open in Excel in Japan and
never run a formula."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from intake.i18n import translate
from intake.office import agenda as office_agenda
from intake.office import agenda_summary, spreadsheet
from intake.office.figures import EVERYTHING
from intake.office.spreadsheet import AGENDA_HEADER, RULINGS_HEADER, cell
from tests import ops as operations
from workflows.calendar import today_jst

from .api_support import API, bearer
from .office_support import read_csv, table_rows
from .staff_support import login, page
from .workflow_support import INPUTS, lead, walk


@pytest.fixture
def data_set(city):
    """Name → proposal, with the reasons each should be on the agenda for (none: not on
    it).  Overdue is relative to the real today, which the pages and the API use."""
    session = city.session
    late = today_jst() - timedelta(days=10)

    def make(category="parks", state="submitted", kind="proposal", **overrides):
        proposal, _ = city.submit(category=category, kind=kind, **overrides)
        return walk(session, proposal, state)

    made = {
        "fresh": make(),  # just submitted, due in five business days: nothing to discuss
        "review": make(state="in_review"),
        "consulted": make(state="in_review"),
        "consulted_done": make(state="in_review"),
        "transferred": make(),
        "paused": make(category="roads", state="awaiting_proposer"),
        "welfare_late": make(category="welfare"),
        "triage_late": make(category="other"),
        "idea": make(kind="idea", state="in_review"),
        "history": make(category="roads"),
        "routed": make(category="other"),  # out of triage: one department, nothing to discuss
        "rejected": make(state="rejected"),
    }
    operations.request_opinion(session, made["consulted"], "roads", lead(made["consulted"]),
                               question="道路側の意見をください。")
    answered = operations.request_opinion(session, made["consulted_done"], "roads",
                                          lead(made["consulted_done"]), question="意見を。")
    operations.answer_opinion(session, answered, operations.Actor.staff(city.roads_primary),
                              answer="問題ありません。")
    operations.transfer_proposal(session, made["transferred"], "roads",
                                 lead(made["transferred"]), reason="道路の案件です。")
    operations.transfer_proposal(session, made["routed"], "welfare",
                                 operations.Actor.staff(city.office_user),
                                 reason="福祉の案件です。")
    # transferred once, then ruled: history, not an agenda item
    operations.transfer_proposal(session, made["history"], "parks", lead(made["history"]),
                                 reason="公園の案件です。")
    session.commit()
    walk(session, made["history"], "rejected")
    for name in ("paused", "welfare_late", "triage_late"):
        made[name].due_on = late  # a paused clock is the proposer's: not overdue
    session.commit()
    return made


EXPECTED = {  # department → [(proposal, reasons)], in receipt order
    "": [("triage_late", ["overdue"])],
    "parks": [("review", ["ruling_pending"]),
              ("consulted", ["several_departments", "ruling_pending"]),
              ("consulted_done", ["ruling_pending"]),
              ("idea", ["ruling_pending"])],
    "roads": [("transferred", ["several_departments"])],
    "welfare": [("welfare_late", ["overdue"])],
}


def _expected(data_set, departments=None) -> list[tuple[str, str, list[str]]]:
    """(department code, receipt, reasons) in the agenda's order."""
    return [(code, data_set[name].receipt, reasons) for code, items in EXPECTED.items()
            if departments is None or code in departments for name, reasons in items]


def test_the_ruling_states_come_from_the_workflow_files():
    import workflows

    for name in workflows.builtin_workflow_names():
        workflow = workflows.get_workflow(name)
        states = office_agenda.ruling_states(workflow)
        assert states and all(not workflow.is_final(s) for s in states)
        for state in states:
            assert any(t.ruling for t in workflow.transitions_from(state))


def test_the_agenda_lists_exactly_what_it_should(data_set, db):
    groups = office_agenda.page(db, today_jst(), limit=100).groups
    found = [(g.department.code if g.department else "", i.proposal.receipt, list(i.reasons))
             for g in groups for i in g.items]
    assert found == _expected(data_set)


def test_the_api_agenda(data_set, city, client):
    body = client.get(f"{API}/agenda", headers=bearer(city.token(city.office_user))).get_json()
    found = [((i["proposal"]["department"] or {}).get("code", ""), i["proposal"]["receipt"],
              i["reasons"]) for i in body["items"]]
    assert found == _expected(data_set)
    item = body["items"][0]["proposal"]
    assert item["overdue"] is True
    for personal in ("email", "phone", "proposer_name", "organization"):
        assert personal not in item
    assert "hanako@example.jp" not in str(body) and "090-1234-5678" not in str(body)


def test_the_agenda_csv(data_set, city, client):
    response = client.get(f"{API}/agenda.csv", headers=bearer(city.token(city.office_user)))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data())
    assert tuple(rows[0]) == AGENDA_HEADER
    reasons = AGENDA_HEADER.index("reasons")
    found = [(r[2], r[0], r[reasons].split()) for r in rows[1:]]
    assert found == _expected(data_set)
    assert rows[1][2:4] == ["", translate("staff.triage", "ja")]  # triage is named


def test_the_printable_agenda_page(data_set, city, client):
    login(client, city.office_user)
    html = page(client.get("/staff/agenda"))
    sections = table_rows(html, "receipt")
    found = [(owner.removeprefix("department-").replace("triage", ""), receipt,
              [reason.split("（")[0] for reason in cells[-1].split()])
             for owner, rows in sections.items() for receipt, cells in rows.items()]
    labels = {"overdue": "期限超過", "ruling_pending": "判断待ち",
              "several_departments": "複数部署"}
    assert found == [(code, receipt, [labels[r] for r in reasons])
                     for code, receipt, reasons in _expected(data_set)]
    assert html.count('class="agenda-department"') == 4
    assert '/staff/agenda.csv' in html and '/staff/rulings.csv' in html


def test_a_liaison_sees_their_department_only(data_set, city, client):
    token = city.token(city.parks_liaison)
    body = client.get(f"{API}/agenda", headers=bearer(token)).get_json()
    expected = [(c, r, why) for c, r, why in _expected(data_set) if c == "parks"]
    assert [("parks", i["proposal"]["receipt"], i["reasons"]) for i in body["items"]] \
        == expected
    rows = read_csv(client.get(f"{API}/agenda.csv", headers=bearer(token)).get_data())
    assert [r[0] for r in rows[1:]] == [receipt for _c, receipt, _w in expected]
    login(client, city.parks_liaison)
    assert list(table_rows(page(client.get("/staff/agenda")), "receipt")) == ["department-parks"]


@pytest.mark.parametrize(("value", "written"), [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+81 90", "'+81 90"), ("-1", "'-1"),
    ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("公園", "公園"), (None, ""),
    (3, "3"), ("a=b", "a=b"),
])
def test_a_cell_that_would_run_as_a_formula_is_neutralised(value, written):
    assert cell(value) == written


def test_the_rulings_csv_has_every_ruling_with_formulas_neutralised(city, client):
    formula = city.submit(title="=HYPERLINK(\"http://evil.test\")花壇")[0]
    walk(city.session, formula, "rejected")
    adopted = city.submit(title="-公園の花壇をつくる")[0]
    walk(city.session, adopted, "adopted")
    roads = city.submit(category="roads")[0]
    operations.fire_trigger(city.session, walk(city.session, roads, "in_review"), "reject",
                            lead(roads), {**INPUTS["reject"], "reason": "@外部の事業です"})
    city.session.commit()
    city.submit()  # not ruled: not in it

    response = client.get(f"{API}/rulings.csv", headers=bearer(city.token(city.office_user)))
    rows = read_csv(response.get_data())
    assert tuple(rows[0]) == RULINGS_HEADER
    by_receipt = {r[0]: dict(zip(RULINGS_HEADER, r, strict=True)) for r in rows[1:]}
    assert list(by_receipt) == [formula.receipt, adopted.receipt, roads.receipt]
    assert by_receipt[formula.receipt]["title"] == "'=HYPERLINK(\"http://evil.test\")花壇"
    assert by_receipt[formula.receipt]["decision"] == "rejected"
    assert by_receipt[formula.receipt]["reason_code"] == "already_done"
    assert by_receipt[adopted.receipt]["title"] == "'-公園の花壇をつくる"
    assert by_receipt[adopted.receipt]["decision"] == "adopted"
    assert by_receipt[roads.receipt]["reason"] == "'@外部の事業です"
    assert by_receipt[roads.receipt]["department_code"] == "roads"
    today = today_jst().isoformat()
    assert by_receipt[roads.receipt]["submitted_on"] == today
    assert by_receipt[roads.receipt]["ruled_on"] == today
    assert by_receipt[roads.receipt]["business_days"] == "0"

    liaison = client.get(f"{API}/rulings.csv", headers=bearer(city.token(city.roads_primary)))
    assert [r[0] for r in read_csv(liaison.get_data())[1:]] == [roads.receipt]
    login(client, city.parks_liaison)
    staff = client.get("/staff/rulings.csv")
    assert [r[0] for r in read_csv(staff.get_data())[1:]] == [formula.receipt, adopted.receipt]


def test_the_rulings_are_read_a_batch_at_a_time(city, db):
    made = [walk(city.session, city.submit()[0], "rejected").receipt for _ in range(5)]
    rows = spreadsheet.ruling_rows(db, EVERYTHING, "ja", triage="", batch_size=2)
    assert [row[0] for row in rows] == made


def test_the_figures_and_the_agenda_cost_the_same_queries_however_many_rows(city, client,
                                                                          app):
    """Aggregates and one agenda query (plus its eager loads): nothing per row."""
    from .test_query_counts import counted

    headers = bearer(city.token(city.office_user))
    # The token's first use records when it was used (once a minute): not counted below.
    assert client.get(API + "/stats", headers=headers).status_code == 200
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            walk(city.session, city.submit()[0], "in_review")
            walk(city.session, city.submit(category="roads")[0], "rejected")
        # A token's last use is written at most once a minute: not a cost of the rows.
        assert client.get(API + "/stats", headers=headers).status_code == 200
        with counted(app.extensions["teian.engine"]) as statements:
            for path in ("/stats", "/agenda", "/agenda.csv", "/rulings.csv"):
                assert client.get(API + path, headers=headers).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


# --- pages -------------------------------------------------------------------------------


def test_the_api_agenda_pages_cover_every_item_once_in_order(data_set, city, client):
    headers = bearer(city.token(city.office_user))
    seen, cursor, pages = [], None, 0
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        body = client.get(f"{API}/agenda{query}", headers=headers).get_json()
        assert len(body["items"]) <= 2
        seen += [((i["proposal"]["department"] or {}).get("code", ""),
                  i["proposal"]["receipt"], i["reasons"]) for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 4  # 7 items, 2 a page, across department boundaries
    assert seen == _expected(data_set)


def test_a_bad_agenda_cursor_or_limit_is_refused(data_set, city, client):
    from intake.paging import encode_cursor

    headers = bearer(city.token(city.office_user))
    for query in ("cursor=nonsense", "limit=0", "limit=101", "cursor=" + encode_cursor([-1, 0])):
        assert client.get(f"{API}/agenda?{query}", headers=headers).status_code == 422, query
    # another department's place is no cursor of a liaison's agenda
    roads = encode_cursor([city.roads_primary.department_id, 0])
    liaison = bearer(city.token(city.parks_liaison))
    assert client.get(f"{API}/agenda?cursor={roads}", headers=liaison).status_code == 422
    login(client, city.office_user)
    assert client.get("/staff/agenda?cursor=nonsense").status_code == 400


def test_the_printable_agenda_pages_by_department(data_set, city, client, monkeypatch):
    from intake.web.staff import office

    monkeypatch.setattr(office, "AGENDA_PAGE", 3)
    monkeypatch.setattr(agenda_summary, "SUMMARY_MAX_AGE", 0)  # counted now, for this data
    login(client, city.office_user)
    seen, url, pages = [], "/staff/agenda", []
    while url:
        html = page(client.get(url))
        pages.append(html)
        for owner, rows in table_rows(html, "receipt").items():
            seen += [(owner.removeprefix("department-").replace("triage", ""), receipt)
                     for receipt in rows]
        url = None
        if 'rel="next"' in html:
            url = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
            url = url.replace("&amp;", "&")
    assert len(pages) == 3
    assert seen == [(code, receipt) for code, receipt, _why in _expected(data_set)]
    # the first page opens with the whole agenda's figures, per department and reason
    assert ['class="agenda-summary"' in html for html in pages] == [True, False, False]
    summary = pages[0].split('class="agenda-summary"')[1].split("</table>")[0]
    counts = {
        row.split('data-department="')[1].split('"')[0]: {
            cell.split('data-reason="')[1].split('"')[0]: int(cell.split(">")[1].split("<")[0])
            for cell in row.split("<td")[1:]}
        for row in summary.split("<tr")[2:]}
    expected: dict[str, dict[str, int]] = {}
    for code, _receipt, reasons in _expected(data_set):
        for reason in reasons:
            per = expected.setdefault(code or "triage", {r: 0 for r in office_agenda.REASONS})
            per[reason] += 1
    assert counts == expected


def test_the_agenda_rows_are_read_a_batch_at_a_time(data_set, db):
    from intake.models import Proposal

    rows = list(office_agenda.every_row(db, today_jst(), columns=(Proposal.id,),
                                        batch_size=2))
    by_id = {p.id: p.receipt for p in data_set.values()}
    assert [(by_id[values[0]], list(why)) for _place, values, why in rows] \
        == [(receipt, why) for _code, receipt, why in _expected(data_set)]


def test_the_printable_agenda_counts_each_departments_items_in_english(data_set, city,
                                                                      client):
    """One item is "1 item", more are "N items" (the English catalogue had no singular)."""
    login(client, city.office_user)
    html = page(client.get("/staff/agenda?lang=en"))
    counts = re.findall(r'<span class="agenda-count">([^<]+)</span>', html)
    sizes = [len(rows) for rows in table_rows(html, "receipt").values()]
    assert counts == [("1 item" if n == 1 else f"{n} items") for n in sizes]
    assert 1 in sizes
