"""The proposer's pages (SPEC section 2): the private tracking page with the actions the
workflow gives the proposer (answer a question, withdraw), its printable receipt, and the
look-up for a proposer who lost their link.

The look-up takes the receipt number and the e-mail address or the phone number given on
the form.  With an e-mail address it mails a fresh link when both match.  With a phone
number it looks nothing up: we cannot send a text message, and whatever the page said
would have to be the same for a match and a mismatch (or it would tell anyone which
receipt numbers go with which phone numbers), so it tells every such visitor the one
honest thing: telephone the Collaboration Office with the receipt number, where a person
checks who is calling before giving the proposal's news.

On the public blueprint; the token in ``/track/<token>`` is the proposer's only key, so
these pages are sent ``no-referrer`` and ``no-store`` (see :mod:`intake.web.public`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for

import workflows
from forms.attachments import StepFilesForm
from forms.tracking import TrackingLookupForm
from workflows.engine import TEXT_MAX

from .. import queries, serializers
from ..attachments.shapes import proposer_attachments
from ..core.actors import PROPOSER
from ..db import session
from ..doors import request_links, request_storage
from ..errors import ActionError, Conflict
from ..explain import rule_text
from ..i18n import label_or
from ..models import Proposal
from ..privacy.public import original_text
from ..proposals.tracking import resend_tracking_link
from ..ratelimit import limit_lookups
from ..workflow.operations import check_trigger, fire_trigger
from .public import _lang, _t, bp, to_the_form_page
from .tracking_link import link_context


@dataclass(frozen=True)
class ProposerAction:
    """A button on the tracking page: one workflow trigger the proposer may fire now."""

    trigger: str
    label: str
    text_input: str | None  # the transition's text input the textarea fills
    input_label: str
    input_required: bool
    confirm: bool  # the proposal ends there: ask for a tick before firing
    takes_files: bool = False  # the step accepts photos and documents (``attachments``)


@dataclass(frozen=True)
class ActionProblem:
    """Why a proposer's action was refused, and what they typed: each message with the
    place it goes — "text" (the textarea), "attachments" (the file field), "confirm" or
    "form" (the whole form)."""

    trigger: str
    text: str
    messages: tuple[tuple[str, str], ...]

    def at(self, place: str) -> list[str]:
        return [message for where, message in self.messages if where == place]

    def summary(self) -> list[tuple[str, str]]:
        """The page's error summary: each message linked to its field (``#<trigger>-<place>``)."""
        return [(f"#{self.trigger}-{where}", message) for where, message in self.messages]


def _proposal_for_token(token: str) -> Proposal:
    """The proposal this tracking token opens; for any other token a 404 that says
    nothing about whether a proposal exists, but offers the way out (a link replaced by
    a re-sent one is dead): the page that sends a new link, and the office's telephone."""
    proposal = queries.proposal_for_token(session(), token)
    if proposal is None:
        abort(make_response(render_template("public/track_unknown.html"), 404))
    return proposal


def _proposer_actions(proposal: Proposal) -> list[ProposerAction]:
    workflow = workflows.get_workflow(proposal.kind)
    actions = []
    for transition in workflow.available_triggers(proposal, "proposer"):
        text_input = serializers.text_input(transition)
        actions.append(
            ProposerAction(
                trigger=transition.trigger,
                label=transition.label_in(_lang()),
                text_input=text_input.name if text_input else None,
                input_label=text_input.label_in(_lang()) if text_input else "",
                input_required=bool(text_input and text_input.required),
                confirm=workflow.is_final(transition.dest),
                takes_files=transition.attachments,
            )
        )
    return actions


def _track_page(proposal: Proposal, token: str, *, problem: ActionProblem | None = None,
                status: int = 200):
    history = queries.history(session(), proposal.id)
    files = proposer_attachments(proposal, token, request_links())
    return render_template(
        "public/track.html",
        proposal=proposal,
        token=token,
        timeline=serializers.timeline_entries(history, kind=proposal.kind,
                                              audience="proposer"),
        question=serializers.pending_question(proposal, history),
        actions=_proposer_actions(proposal),
        problem=problem,
        sent=original_text(proposal),
        files=files,
        files_by_id={f["id"]: f for f in files},  # the timeline links those a step came with
        text_max=TEXT_MAX,
        **link_context(proposal, token),
    ), status


@bp.get("/track/<token>")
def track(token: str):
    return _track_page(_proposal_for_token(token), token)


@bp.get("/track/<token>/receipt")
def track_receipt(token: str):
    """The receipt on one sheet to print: number, title, date, the link and its QR code."""
    proposal = _proposal_for_token(token)
    return render_template("public/receipt.html", proposal=proposal, token=token,
                           **link_context(proposal, token))


@bp.post("/track/<token>/<trigger>")
def track_action(token: str, trigger: str):
    """Fire the proposer's action; the files of a step that takes them (an answer with the
    map the question asked for) go through the proposal form's own field and are kept by
    the same operation, in this request's transaction: a refused answer keeps none.  A
    refusal names every problem at once, each beside its field, as the proposal form
    does: a bad file or a missing tick is checked with the step's own rules (the answer's
    text), not before them."""
    proposal = _proposal_for_token(token)
    action = next((a for a in _proposer_actions(proposal) if a.trigger == trigger), None)
    text = request.form.get("text", "")
    unconfirmed = action is not None and action.confirm and not request.form.get("confirm")
    files = StepFilesForm(request.files, lang=_lang())
    files_valid = files.validate()
    inputs = {action.text_input: text} if action and action.text_input else {}
    try:
        if unconfirmed or not files_valid:
            check_trigger(session(), proposal, trigger, PROPOSER, inputs)  # changes nothing
            problem = _action_problem(None, action, trigger, text, files, unconfirmed)
            return _track_page(proposal, token, problem=problem, status=422)
        fire_trigger(session(), proposal, trigger, PROPOSER, inputs, links=request_links(),
                     files=files.cleaned, storage=request_storage())
    except ActionError as exc:
        session().rollback()  # the page below shows the proposal as it stands
        problem = _action_problem(exc, action, trigger, text, files, unconfirmed)
        return _track_page(proposal, token, problem=problem, status=exc.status)
    flash(_done(trigger, action), "success")
    return redirect(url_for(".track", token=token), 303)


@bp.get("/track/<token>/<trigger>")
def track_action_page(token: str, trigger: str):
    """An action's address opened (after a refused answer or withdrawal): the tracking
    page; for a token that opens nothing, the same 404 as every tracking address."""
    _proposal_for_token(token)
    return to_the_form_page(".track", token=token)


def _done(trigger: str, action: ProposerAction | None) -> str:
    """What the proposer's step did, in a sentence of its own (``public.track.done.<trigger>``),
    or for a trigger of a city's own workflow without one, the step's name."""
    generic = _t("public.track.done", action=action.label if action else trigger)
    return label_or(f"public.track.done.{trigger}", _lang(), generic)


def _file_place(action: ProposerAction | None) -> str:
    """Where a message about files goes: beside the file field, or (a step without one,
    sent files by hand) above the form's button."""
    return "attachments" if action is not None and action.takes_files else "form"


def _action_problem(exc: ActionError | None, action: ProposerAction | None, trigger: str,
                    text: str, files: StepFilesForm, unconfirmed: bool) -> ActionProblem:
    """Every reason the action was refused, in the proposer's words (the operation's
    message is for developers): the step's own (``exc``: its text, or why it cannot be
    done now), the files' and the missing tick.  Files chosen for an answer refused for
    anything else were not kept, and the page says so."""
    file_place = _file_place(action)
    messages = []
    if exc is not None and "attachments" in exc.fields:  # a step that takes no files
        messages.append((file_place, rule_text(exc.fields["attachments"][0],
                                               files.attachments.label.text, _lang())))
    else:
        if exc is not None:
            messages.append(_step_message(exc, action, text))
        files.attachments.ask_again(files)
        messages += [(file_place, m) for m in files.attachments.errors]
    if unconfirmed:
        messages.append(("confirm", _t("public.track.confirm_required")))
    return ActionProblem(trigger, text, tuple(messages))


def _step_message(exc: ActionError, action: ProposerAction | None,
                  text: str) -> tuple[str, str]:
    """The step's own refusal and its place: the text's rule beside the textarea, else
    why the step cannot be taken now, above the button."""
    if action is not None and action.text_input in exc.fields:
        if "length" in exc.fields[action.text_input]:
            return "text", _t("error.length_max", field=action.input_label, max=TEXT_MAX,
                              length=len(text))
        return "text", _t("error.required", field=action.input_label)
    key = "conflict" if isinstance(exc, Conflict) else "not_allowed"
    return "form", _t(f"public.track.error.{key}")


# --- a lost link ------------------------------------------------------------------------------


@bp.route("/track", methods=["GET", "POST"])
@limit_lookups(methods=["POST"])
def track_lookup():
    """Receipt number and e-mail address → a fresh link by e-mail; receipt number and phone
    number → how to reach the office (see the module docstring).  Each answer is the same
    whether or not anything matched, so nobody learns which proposals or contacts exist."""
    form = TrackingLookupForm(request.form if request.method == "POST" else None, lang=_lang())
    if request.method == "POST" and form.validate():
        if form.email.data:
            resend_tracking_link(session(), form.receipt.data, form.email.data,
                                 links=request_links())
            flash(_t("public.lookup.sent"), "success")
        else:
            flash(_t("public.lookup.phone_answer"), "success")
        return redirect(url_for(".track_lookup"), 303)
    status = 422 if form.errors else 200
    return render_template("public/track_lookup.html", form=form), status
