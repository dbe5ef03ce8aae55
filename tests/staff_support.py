"""What the staff page tests share: signing in, sending a page's forms as the browser does,
and reading back the rows."""

from __future__ import annotations

from sqlalchemy import select

from intake.i18n import translate
from intake.models import Event, OpinionRequest, Proposal
from tests import ops as operations

from .factories import PASSWORD

# The proposal page's forms other than the triggers: action → (path under the proposal,
# field prefix).  A trigger posts to ``transitions/<trigger>`` with the trigger as prefix.
FORMS = {
    "transfer": ("transfer", "transfer"),
    "sessions": ("sessions", "session"),
    "opinion": ("opinions", "opinion"),
    "extend": ("deadline", "extend"),
    "comments": ("comment-period", "comments"),
}


def ja(key: str, **params) -> str:
    """A catalogue text as the page shows it (ja is the default language)."""
    return translate(key, "ja", **params)


def login(client, user, password: str = PASSWORD, **extra):
    return client.post("/staff/login", data={"email": user.email, "password": password, **extra})


def page(response) -> str:
    return response.get_data(as_text=True)


def reload(db, proposal: Proposal) -> Proposal:
    db.expire_all()
    return db.get(Proposal, proposal.id)


def events_of(db, proposal: Proposal) -> list[Event]:
    db.expire_all()
    return list(db.execute(
        select(Event).where(Event.proposal_id == proposal.id).order_by(Event.seq)
    ).scalars())


def fire(city, proposal: Proposal, trigger: str, user, **inputs) -> None:
    """Move a proposal along through the operation itself (test set-up)."""
    operations.fire_trigger(city.session, proposal, trigger, operations.Actor.staff(user), inputs)
    city.session.commit()


def advanced(city, *triggers: str) -> Proposal:
    """A parks proposal the parks liaison has moved by ``triggers``, as stored now."""
    proposal, _ = city.submit()
    for trigger in triggers:
        fire(city, proposal, trigger, city.parks_liaison)
    return reload(city.session, proposal)


def post_form(client, proposal: Proposal, path: str, prefix: str, *, version="current",
              confirm: bool = True, **fields):
    """Send a form of the proposal's page: fields take the form's ``prefix``; ``version``
    defaults to the proposal's (None: leave it out, as the forms without one do); the
    confirmation box of the actions that end or hand away a proposal is ticked unless
    ``confirm=False``."""
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    if confirm:
        data["confirm"] = "y"
    if version is not None:
        data[f"{prefix}-version"] = proposal.version if version == "current" else version
    return client.post(f"/staff/proposals/{proposal.id}/{path}", data=data)


def post_action(client, proposal: Proposal, action: str, version="current", **fields):
    """``action`` is a trigger or one of :data:`FORMS`."""
    path, prefix = FORMS.get(action, (f"transitions/{action}", action))
    return post_form(client, proposal, path, prefix, version=version, **fields)


def settle(client, request: OpinionRequest, how: str, **fields):
    """Answer (``how="answer"``) or waive an opinion request through its form."""
    return post_form(client, request.proposal, f"opinions/{request.id}/{how}",
                     f"{how}-{request.id}", version=None, **fields)
