"""Opinions of other departments (合議): asking, answering, waiving (:mod:`.operations`)."""
