"""Lists cost a fixed number of queries, however many rows a page holds
(no query in a loop)."""

from __future__ import annotations

import gc
from contextlib import contextmanager

from sqlalchemy import event

from tests.factories import publish_as_written


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _publish_many(city, db, n: int) -> None:
    for i in range(n):
        proposal, _ = city.submit(publish_name=True, organization=f"団体{i}",
                                  proposer_type="npo", category=("parks", "roads")[i % 2])
        publish_as_written(proposal)
    db.commit()


def test_public_list_queries_do_not_grow_with_the_page(city, db, client, app):
    engine = app.extensions["teian.engine"]
    _publish_many(city, db, 3)
    with counted(engine) as small:
        assert client.get("/api/v1/proposals?limit=3").status_code == 200
    _publish_many(city, db, 12)
    with counted(engine) as large:
        assert client.get("/api/v1/proposals?limit=15").status_code == 200
    assert len(large) == len(small)
    with counted(engine) as page_small:
        assert client.get("/proposals").status_code == 200
    _publish_many(city, db, 5)
    with counted(engine) as page_large:
        assert client.get("/proposals").status_code == 200
    assert len(page_large) == len(page_small)


def test_staff_queue_queries_do_not_grow_with_the_page(city, db, client, app):
    from .factories import PASSWORD

    engine = app.extensions["teian.engine"]
    client.post("/staff/login", data={"email": "office@city.test", "password": PASSWORD})
    token = city.token(city.office_user)
    # A token's first use notes its last_used_at (an UPDATE at most once a minute).
    client.get("/api/v1/queue", headers={"Authorization": f"Bearer {token}"})
    _publish_many(city, db, 3)
    with counted(engine) as small:
        assert client.get("/staff/").status_code == 200
        assert client.get("/api/v1/queue",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
    _publish_many(city, db, 12)
    with counted(engine) as large:
        assert client.get("/staff/").status_code == 200
        assert client.get("/api/v1/queue",
                          headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert len(large) == len(small)


REFERENCE_TABLES = ("categories", "districts", "departments", "routing_rules", "users")


def test_a_submission_reads_no_reference_data_and_writes_in_few_statements(city, client, app):
    """Themes, districts, rules and liaisons come from the process's cache (one stamp
    read); the new chain's head is never read, only written with each of its two events
    (intake/core/chain.py), and the dashboard's counts move by one row in each table
    the proposal counts in (intake/office/counts.py)."""
    from .api_support import form

    engine = app.extensions["teian.engine"]
    assert client.post("/api/v1/proposals", json=form()).status_code == 201  # fills it
    with counted(engine) as statements:
        assert client.post("/api/v1/proposals", json=form()).status_code == 201
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "reference_stamp" in reads[0], reads
    assert not [s for s in statements
                if any(f" {table} " in s or f" {table}\n" in s for table in REFERENCE_TABLES)]
    heads = [s.lstrip().split()[0].upper() for s in statements if "event_chain_heads" in s]
    assert heads == ["INSERT", "UPDATE"], statements
    assert sum(s.lstrip().upper().startswith("INSERT INTO EVENTS") for s in statements) == 2
    # the dashboard's +1s (intake/office/counts.py): one row in each table it counts in
    for kept in ("proposal_counts", "overdue_counts", "monthly_counts"):
        assert sum(kept in s for s in statements) == 1, (kept, statements)
    assert not [s for s in statements if "ruling_counts" in s]
    # was 17; 10 before overdue and monthly; 12 before the events, the head and the
    # messages became plain statements (fewer rows batched, less CPU: intake/core/chain.py)
    assert len(statements) <= 13, statements


def test_a_transition_through_the_api_reads_the_token_with_its_user_and_the_proposal_whole(
        city, db, client, app):
    """Accepting a proposal: the token and its user in one statement, the proposal with its
    contact and public copy in one, the chain head once; then the writes (issue 13)."""
    token = city.token(city.office_user)
    headers = {"Authorization": f"Bearer {token}"}
    engine = app.extensions["teian.engine"]
    submitted = [(proposal.id, proposal.version) for proposal, _ in
                 (city.submit(), city.submit())]
    db.commit()
    db.expunge_all()  # as in a new request: nothing of them in the session
    for proposal_id, version in submitted:  # the first also notes the token's last use
        # What an earlier request left in the session's identity map is held weakly: the
        # count must not depend on whether the collector has run since (it did, flakily).
        gc.collect()
        with counted(engine) as statements:
            response = client.post(f"/api/v1/proposals/{proposal_id}/transitions",
                                   json={"trigger": "accept", "version": version},
                                   headers=headers)
            assert response.status_code == 200, response.get_json()
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("api_tokens" in s and "users" in s for s in reads) == 1, reads
    assert sum(" proposals" in s and "proposer_contacts" in s for s in reads) == 1, reads
    assert sum("event_chain_heads" in s for s in reads) == 1, reads
    assert len(reads) == 3, reads  # was 6: token, user, proposal, contact, public copy, head
    # was 13; 10 before the overdue counts (its due date moves: one INSERT of -1 and +1)
    assert len(statements) <= 11, statements
