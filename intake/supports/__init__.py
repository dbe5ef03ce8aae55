"""Supports (賛同): citizens show that a proposal matters to them, confirmed by e-mail
(:mod:`.operations`)."""

CONFIRMATION_MAIL = "support_confirm"  # the outbox kind of the mail with a support's link
