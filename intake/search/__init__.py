"""Search (SPEC section 8): ``q`` on every list, width- and case-folded, every word must
match, two-character Japanese words found through an index of character bigrams
(and, on PostgreSQL, longer words through trigrams).

:mod:`.index` folds text and keeps the two indexes (the original text for staff, the
public copy for everyone); :mod:`.query` turns ``q`` into a filter for a ``Select``.
"""

from .index import (
    ORIGINAL,
    PUBLIC,
    fold,
    include_name,
    index_original,
    index_public,
    is_search_table,
)
from .query import MAX_QUERY, restrict, words

__all__ = ["MAX_QUERY", "ORIGINAL", "PUBLIC", "fold", "include_name", "index_original",
           "index_public", "is_search_table", "restrict", "words"]
