"""HTML pages: ``public`` (the form, receipts, tracking, published
proposals) and ``staff`` (login, queues, proposal pages)."""
