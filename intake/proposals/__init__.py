"""Proposals as citizens bring them: submitting (:mod:`.operations`) and the proposer's
way back to a lost tracking link (:mod:`.tracking`)."""
