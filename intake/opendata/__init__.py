"""Open data (SPEC sections 5 and 8): every published proposal and its ruling, as CSV and
JSON, for ``teian export`` and the public list's downloads.

- :mod:`.export` decides the rows: which proposals (the public selection, filters
  applied), which columns, read a batch at a time;
- :mod:`.formats` writes them: CSV for Excel in Japan, JSON as one array, both as
  generators, so a download or a file of a million rows never sits in memory.
"""
