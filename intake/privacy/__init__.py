"""Personal data before publication (SPEC section 5; 個人情報保護法).

Citizens write their phone number, address and name into the prose of a proposal or a
comment.  Nothing the scan flags may be public before a person has looked at it:

- :mod:`.scan` finds the personal data in a text (pure; patterns kept as data);
- :mod:`.text` names the free-text fields of a proposal and masks texts in them;
- :mod:`.public` is the one accessor for what the public may read — the public copy
  of a proposal's text and the public form of each comment — so no door can read the
  original by mistake;
- :mod:`.operations` publishes on accept (or holds the proposal for review), applies a
  review's masks, withholds; :mod:`intake.deliberation.moderation` does the same for
  comments.
"""
