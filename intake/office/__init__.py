"""The collaboration office's view (SPEC section 7): the figures of the dashboard and of
``GET /api/v1/stats`` (:mod:`.figures`), their charts (:mod:`.charts`), the
liaison-meeting agenda (:mod:`.agenda`) and the spreadsheets (:mod:`.spreadsheet`).
Reads only: nothing here changes a proposal."""
