"""Answer templates: the office's ready-made reasons per workflow trigger, in three
languages (``operations``: create, change, and the one rule that turns a template into a
transition's reason; ``queries``; ``shapes`` for the API)."""
