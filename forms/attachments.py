"""The proposal form's ``attachments`` field: up to :data:`MAX_FILES` photos or documents,
each decided and cleaned by :mod:`intake.attachments.inspect` while the form validates, so
the page and the API refuse the same files with the same messages (``error.attachments.*``
in ``intake/i18n/attachments.toml``), naming the file.

Files come from the request's ``files`` (the page's ``<input type=file multiple>``, the
API's multipart fields ``attachments``); a browser sends an empty part when none was
chosen, which counts as nothing.  A JSON body cannot carry files: a value there is refused.

The same field takes the files of a workflow step that accepts them (:class:`StepFilesForm`,
the proposer's answer to a question): the same types, sizes and clean copies, and
:data:`MAX_FILES` counted per message, as :mod:`intake.attachments.inspect` explains.
"""

from __future__ import annotations

from werkzeug.datastructures import FileStorage
from wtforms import Form, MultipleFileField

from intake.attachments import MAX_BYTES, MAX_FILES, CleanFile, Refused, clean
from intake.i18n import translate

from .actions import reason_field
from .staff import StaffForm
from .validators import rule_message

MEGABYTES = MAX_BYTES // (1024 * 1024)


class AttachmentsField(MultipleFileField):
    """Files in, :attr:`cleaned` out (after ``validate``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cleaned: list[CleanFile] = []
        self.sent: list[FileStorage] = []
        self.not_files = False

    def process_formdata(self, valuelist) -> None:
        self.sent = [v for v in valuelist if isinstance(v, FileStorage) and v.filename]
        self.not_files = any(not isinstance(v, FileStorage) and v not in ("", None)
                             for v in valuelist)
        self.data = self.sent

    @property
    def sent_names(self) -> list[str]:
        return [f.filename or "" for f in self.sent]

    def pre_validate(self, form) -> None:
        self.cleaned = []
        if self.not_files:
            self.errors.append(rule_message(form, self, "multipart", "error.attachments"))
            return
        if len(self.sent) > MAX_FILES:
            self.errors.append(rule_message(form, self, "too_many", "error.attachments",
                                            max=MAX_FILES, count=len(self.sent)))
            return
        for sent in self.sent:
            raw = sent.stream.read(MAX_BYTES + 1)
            try:
                self.cleaned.append(clean(raw, sent.filename or ""))
            except Refused as refused:
                self.errors.append(rule_message(form, self, refused.rule, "error.attachments",
                                                name=sent.filename, max=MEGABYTES))
        if self.errors:
            self.cleaned = []

    def ask_again(self, form) -> None:
        """The form failed elsewhere: files are not kept, so say so and ask for them."""
        if self.sent and not self.errors:
            self.errors.append(rule_message(form, self, "again", "error.attachments",
                                            count=len(self.sent),
                                            names="、".join(self.sent_names)))


class StepFilesForm(Form):
    """The files sent with a workflow step (the tracking page's answer form, and
    ``POST /api/v1/track/{token}/transitions`` as multipart): the proposal form's field and
    messages alone, since the step's text is the workflow's input, checked by the engine.
    Built from ``request.files``; no CSRF token of its own (the page's form carries one).

    Up to :data:`MAX_FILES` with each answer, whatever was sent before: a question asks for
    something new (the map, the photo of the damage), and a proposer who filled their five
    places at first must still be able to send it; the city bounds the total by the
    questions it asks (the reasoning in full: :mod:`intake.attachments.inspect`)."""

    messages = "error"  # error.attachments.<rule>, as on the proposal form

    attachments = AttachmentsField()

    def __init__(self, formdata=None, *, lang: str = "ja", **kwargs) -> None:
        self.lang = lang
        super().__init__(formdata=formdata, **kwargs)
        self.attachments.label.text = translate("field.attachments", lang)

    @property
    def cleaned(self) -> list[CleanFile]:
        return self.attachments.cleaned


class AttachmentActionForm(StaffForm):
    """Publish or withhold one attachment; the reason is optional and kept in the audit
    log (the staff page and ``POST /api/v1/attachments/{id}/publish|withhold``)."""

    label_keys = {"reason": "staff.attachments.reason"}

    reason = reason_field(required=False)
