"""The forms of the personal-data review and of comment moderation (SPEC section 5),
shared by the staff page and the API like every action form (:mod:`forms.actions`).

The texts to mask arrive as repeated ``redact`` values: the page's checkbox per hit
(ticked: mask; unticked: fine to publish) plus a box for what the scan missed; the API's
JSON array.  Which texts may be masked (they must occur in the text, at most so many)
is the operation's rule (:mod:`intake.privacy.operations`), said once.
"""

from __future__ import annotations

from wtforms import Field, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from intake.i18n import translate
from intake.i18n.reading_markup import MAX_LENGTH as TITLE_EASY_MAX

from .actions import REASON_MAX, VersionedForm, reason_field
from .staff import StaffForm
from .validators import Length, Optional


class TextListField(Field):
    """Many texts under one name, blanks dropped.  On the page it renders as one more
    text box (the checkboxes beside each hit are drawn by the template)."""

    widget = TextInput()
    takes_list = True  # the API reads a JSON array of strings here (intake.api.payload)

    def process_formdata(self, valuelist) -> None:
        self.data = [value for value in valuelist if value and value.strip()]

    def process_data(self, value) -> None:
        self.data = list(value or [])

    def _value(self) -> str:
        return ""


class PublicationForm(VersionedForm):
    """Publish with ``redact`` masked (every other hit confirmed), or — the office —
    ``withhold`` with a reason.  One or the other."""

    prefix_name = "publication"
    label_keys = {"redact": "privacy.field.redact", "withhold": "privacy.field.withhold"}
    hint_keys = {"redact": "privacy.field.redact.hint"}

    redact = TextListField()
    withhold = TextAreaField(validators=[Optional(), Length(max=REASON_MAX)])

    def validate_withhold(self, field) -> None:
        if field.data and field.data.strip() and self.redact.data:
            raise ValidationError(translate("privacy.error.redact_or_withhold", self.lang))

    @property
    def withholding(self) -> bool:
        return bool(self.withhold.data and self.withhold.data.strip())


class EasyTitleForm(VersionedForm):
    """The readings of a published title (｜協働《きょうどう》); empty: the analyser's
    suggestion again.  What a valid text is, is the operation's rule
    (:mod:`intake.privacy.easy_title`)."""

    prefix_name = "easy-title"
    label_keys = {"title_easy": "staff.easy.field.title_easy"}
    hint_keys = {"title_easy": "staff.easy.field.title_easy.hint"}

    title_easy = TextAreaField(validators=[Optional(), Length(max=TITLE_EASY_MAX)])


class CommentPublishForm(StaffForm):
    """Publish a held comment (its unticked hits confirmed) or mask more of a public one."""

    label_keys = {"redact": "privacy.field.redact"}
    hint_keys = {"redact": "privacy.field.redact.hint"}

    redact = TextListField()


class CommentHideForm(StaffForm):
    """Hide a comment; the reason is shown to the public in its place."""

    label_keys = {"reason": "privacy.field.hide_reason"}
    hint_keys = {"reason": "privacy.field.hide_reason.hint"}

    reason = reason_field(required=True)
