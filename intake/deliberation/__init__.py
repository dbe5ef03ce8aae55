"""Deliberation with citizens: sessions, the comment period and comments
(:mod:`.operations`).  Which states take them is the workflow file's data
(``comments = true`` / ``sessions = true`` on a state)."""
