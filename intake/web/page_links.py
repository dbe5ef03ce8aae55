"""The links beside a page of a list paged both ways (the public list, the staff queue):
first, previous and next, each keeping the list's filters."""

from __future__ import annotations

from collections.abc import Callable

from intake.paging import Page


def page_links(page: Page, cursor: str | None, link: Callable[..., str]) -> dict[str, str | None]:
    """The addresses of the first, previous and next pages beside ``page`` (None: none),
    made by ``link(**args)`` with the list's filters kept.  A page reached by a cursor
    has a first page unless it is the first (gone back to the start: no page before it)
    — an empty one too (its rows since removed), so there is always a way back."""
    first = bool(cursor) and bool(page.prev_cursor or not page.items)
    return {
        "first": link() if first else None,
        "prev": link(cursor=page.prev_cursor) if page.prev_cursor else None,
        "next": link(cursor=page.next_cursor) if page.next_cursor else None,
    }
