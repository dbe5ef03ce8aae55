"""Rate limiting (Flask-Limiter): per client address, in memory by default,
in Redis (``TEIAN_RATELIMIT_STORAGE=redis://…``) when several processes
must share the counts."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

# The limits themselves, named once so pages and API share them.
SUBMIT_LIMIT = "10 per hour;3 per minute"
COMMENT_LIMIT = "20 per hour;5 per minute"
LOGIN_LIMIT = "10 per minute"
# Each accepted look-up mails the proposer: a low limit keeps the form from mailing anyone
# over and over.
LOOKUP_LIMIT = "10 per hour;3 per minute"
