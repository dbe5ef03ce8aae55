"""Running a proposal through its workflow: firing triggers (:mod:`.operations`), the
deadlines each state sets (:mod:`.deadlines`) and escalating the overdue
(:mod:`.escalation`).  The rules themselves are the workflow files' data
(``workflows/*.toml``); this area applies them to the database."""
