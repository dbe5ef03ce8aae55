"""The proposal form's ``attachments`` field: up to :data:`MAX_FILES` photos or documents,
each decided and cleaned by :mod:`intake.attachments.inspect` while the form validates, so
the page and the API refuse the same files with the same messages (``error.attachments.*``
in ``intake/i18n/attachments.toml``), naming the file.

Files come from the request's ``files`` (the page's ``<input type=file multiple>``, the
API's multipart fields ``attachments``); a browser sends an empty part when none was
chosen, which counts as nothing.  A JSON body cannot carry files: a value there is refused.
"""

from __future__ import annotations

from werkzeug.datastructures import FileStorage
from wtforms import MultipleFileField

from intake.attachments import MAX_BYTES, MAX_FILES, CleanFile, Refused, clean

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


class AttachmentActionForm(StaffForm):
    """Publish or withhold one attachment; the reason is optional and kept in the audit
    log (the staff page and ``POST /api/v1/attachments/{id}/publish|withhold``)."""

    label_keys = {"reason": "staff.attachments.reason"}

    reason = reason_field(required=False)
