"""The rulings import page's two forms: the upload (checked by a dry run), then "apply",
which sends the same file again (carried in the page, base64, so that exactly the rows
checked are the rows applied — and checked again, row by row, as they apply)."""

from __future__ import annotations

import base64
import binascii

from flask_wtf.file import FileField
from wtforms import HiddenField

from .staff import StaffForm


class RulingsUploadForm(StaffForm):
    prefix_name = "import"
    hint_keys = {"file": "import.hint.file"}
    label_keys = {"file": "import.field.file"}
    file = FileField(render_kw={"accept": ".csv,text/csv"})

    def content(self, limit: int) -> bytes | None:
        """The file's bytes (at most ``limit`` + 1), None when no file was chosen."""
        sent = self.file.data
        if sent is None or not getattr(sent, "filename", ""):
            return None
        return sent.read(limit + 1)


class RulingsApplyForm(StaffForm):
    prefix_name = "apply"
    file = HiddenField()

    @classmethod
    def carrying(cls, raw: bytes, *, lang: str) -> RulingsApplyForm:
        return cls(lang=lang, data={"file": base64.b64encode(raw).decode("ascii")})

    def content(self) -> bytes | None:
        try:
            return base64.b64decode(self.file.data or "", validate=True) or None
        except (binascii.Error, ValueError):
            return None
