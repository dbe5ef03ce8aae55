"""Every streamed download (the office's CSVs, page and API; the public list's CSV and
JSON) gives its database connection back when it ends — read to the last line or
abandoned halfway by the client.  A stream that kept it would leave a transaction open
("idle in transaction" on PostgreSQL) holding its locks: the next TRUNCATE, migration or
ALTER would wait for it forever.

The request is served in a thread of its own, as a server serves it: there the request's
application context, and so its teardown, are its own (in the test's thread the test
holds the context, and a request never tears it down)."""

from __future__ import annotations

import gc
import threading

import pytest

from .api_support import API, bearer
from .staff_support import login
from .test_open_data import seeded  # noqa: F401  (published, ruled and agenda proposals)

DOWNLOADS = ("/staff/agenda.csv", "/staff/rulings.csv", f"{API}/agenda.csv",
             f"{API}/rulings.csv", "/proposals.csv", "/proposals.json")
# Abandoned: one of each door (staff page, API, public page) is enough, they share the
# stream's ending (:func:`intake.doors.download_response`).
CASES = ([(path, False) for path in DOWNLOADS]
         + [(path, True) for path in ("/staff/agenda.csv", f"{API}/rulings.csv",
                                      "/proposals.json")])


def in_a_server_thread(client, path: str, headers: dict, *, abandon: bool,
                       pool) -> tuple[list[bytes], bool]:
    """The download's chunks read in a thread of its own, the response then closed (as a
    server does when the client has all of it or goes away); ``abandon``: stop at the
    first chunk read while the stream holds a connection.  Also whether it held one."""
    got: list[bytes] = []
    held = [False]
    failed: list[BaseException] = []
    before = pool.checkedout()

    def serve() -> None:
        try:
            response = client.get(path, headers=headers, buffered=False)
            assert response.status_code == 200
            try:
                for chunk in response.response:
                    got.append(chunk)
                    held[0] = held[0] or pool.checkedout() > before
                    if abandon and held[0]:
                        break
            finally:
                response.close()
        except BaseException as exc:  # noqa: BLE001  (re-raised in the test's thread)
            failed.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive()
    if failed:
        raise failed[0]
    return got, held[0]


@pytest.mark.parametrize(("path", "abandon"), CASES,
                         ids=[f"{path}-{'abandoned' if abandon else 'read'}"
                              for path, abandon in CASES])
def test_a_streamed_download_gives_its_connection_back(app, city, client, db, seeded,  # noqa: F811
                                                       path, abandon):
    headers = {}
    if path.startswith(API):
        headers = bearer(city.token(city.office_user))
    elif path.startswith("/staff/"):
        login(client, city.office_user)
    db.commit()  # the test's own session holds no connection either
    pool = app.extensions["teian.engine"].pool
    idle = pool.checkedout()
    gc.disable()  # the collector would give a forgotten session's connection back, late
    try:
        chunks, held = in_a_server_thread(client, path, headers, abandon=abandon, pool=pool)
        assert held, "the stream read nothing from the database: the check proves nothing"
        assert chunks
        assert pool.checkedout() == idle
    finally:
        gc.enable()
