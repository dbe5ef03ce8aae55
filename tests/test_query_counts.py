"""Lists cost a fixed number of queries, however many rows a page holds
(no query in a loop)."""

from __future__ import annotations

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
