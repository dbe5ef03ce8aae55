"""Keeping a serving process's long-lived objects out of the garbage collector's way.

A web process holds some 185,000 objects that live as long as it does: the modules, the
ORM's mappers, the workflow machines, the compiled templates and statements, the reference
cache.  CPython's full collection (generation 2) walks every one of them to find the few
cycles of garbage among the new: about 120 ms on the benchmark machine, once every few
thousand requests, all of it inside whichever request allocated the object that tipped
it over.  Under load that request, and the ones queued behind it, are the worst latencies.

:func:`settle` moves those objects into the permanent generation (``gc.freeze()``), which
no collection walks: once when the application is made (before gunicorn forks its workers
with ``--preload``, so a collection in a worker does not touch, and so copy, the pages it
shares with its siblings) and once more after the first :data:`WARM_REQUESTS` requests,
when the caches filled on first use hold what they will hold.  A full collection then
walks a few thousand objects (about 2 ms).  Frozen objects are still freed when their last
reference goes; only a cycle among them would stay, and each freeze collects first.

Only the serving entry points settle (``intake.wsgi``, ``teian serve``, ``teian demo``):
a test suite making hundreds of applications in one process must keep collecting them.
"""

from __future__ import annotations

import gc
import itertools

from flask import Flask, Response

WARM_REQUESTS = 200
"""Requests after which the caches filled on first use are frozen with the rest."""


def freeze() -> None:
    """Collect what is garbage now, then freeze everything that is left."""
    gc.collect()
    gc.freeze()


def settle(app: Flask, *, warm_requests: int = WARM_REQUESTS) -> Flask:
    """Freeze the process's objects now and, once, after ``warm_requests`` responses have
    been sent.  Returns ``app``."""
    freeze()
    served = itertools.count(1)  # next() is atomic under the GIL: threads may share it

    @app.after_request
    def _freeze_once_warm(response: Response) -> Response:
        if next(served) == warm_requests:
            # After the response has gone out: the collection's pause is not the client's.
            response.call_on_close(freeze)
        return response

    return app
