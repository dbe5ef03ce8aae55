"""Supports (賛同): citizens show that a proposal matters to them, confirmed by e-mail
(:mod:`.operations`)."""
