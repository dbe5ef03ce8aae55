"""The embedded rate-limit storage: the limits library's in-memory counts, swept inline
instead of by a timer thread.

Why: :class:`limits.storage.MemoryStorage` (``memory://``, the default setting) starts a
10 ms ``threading.Timer`` on every counted hit whose previous timer has ended, to drop
expired counts.  Under steady submissions that is a new thread every request or two —
about 0.6 ms of a submission's 4.5 ms of CPU (``benchmarks/profile_submit.py``), and a
thread start that waits for the new thread to run while a request is being served.
Expired counts are already ignored when read (``get`` checks the expiry), so the sweep
only bounds memory: here it runs in the hitting request, at most once every
:data:`SWEEP_SECONDS`, and costs one pass over the live keys.

``memory://`` keeps its meaning (counts per process, lost at restart); only the sweeping
differs, so :func:`storage_uri` maps the setting to this class's scheme.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "teian-memory"
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """``MemoryStorage`` whose expired counts are dropped by the next hit after
    :data:`SWEEP_SECONDS`, not by a timer thread."""

    STORAGE_SCHEME = [SCHEME]  # registered with the limits library by its metaclass

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    # MemoryStorage calls its private ``__schedule_expiry`` on every hit (incr, decr,
    # moving-window entries); this replaces the timer it starts with an inline sweep.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the parent's name)
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self.sweep()

    def sweep(self) -> None:
        """Drop every expired count and moving-window entry now."""
        self._MemoryStorage__expire_events()


def storage_uri(setting: str) -> str:
    """The URI the limiter is given for ``TEIAN_RATELIMIT_STORAGE``: ``memory://…`` becomes
    this module's storage, anything else (``redis://…``) is passed on as it is."""
    scheme, separator, rest = setting.partition("://")
    if separator and scheme == "memory":
        return f"{SCHEME}://{rest}"
    return setting
