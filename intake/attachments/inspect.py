"""What a sent file is, decided from its content alone, and its clean copy (SPEC section 2).

The name and the declared type are never asked.  An image is what Pillow (with
``pillow-heif`` for iPhone photos) opens as JPEG, PNG or HEIF; it is decoded, turned
upright by its EXIF orientation, scaled down to :data:`MAX_SIDE`, converted to sRGB and
encoded again from its pixels alone — no EXIF (GPS positions, the camera's serial
number), no XMP, no ICC profile, no comments, whatever the original held — with a
thumbnail beside it.  HEIC/HEIF comes back as JPEG.  A PDF is a file that starts with the
PDF signature and that pypdf parses; one holding JavaScript or a launch action is refused
(:data:`SCRIPT_KEYS`), and every PDF is served as a download only, never inline.

Pillow and pypdf are imported by :mod:`.images` and :mod:`.pdfs` when a file is
inspected, not with the application: most requests carry no file, and the two hold
about 10 MB in every web worker (docs/PERFORMANCE.md, "Memory per web worker").

Refusals raise :class:`Refused` with the rule broken (``type``, ``too_large``, ``bomb``,
``script``, ``pdf_locked``, ``pdf_damaged``); the form words them (``forms/attachments.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024  # 10 MB each (SPEC section 2)
# Five files per message, not five in all: with the proposal, and again with each answer to
# a question the city asks (a step with ``attachments = true``, workflows/proposal.toml).
# A question asks for something new ("a map of the place", "a photo of the damage"); a
# proposer who sent five photos at first must still be able to send the map they were asked
# for, and a limit counted over the whole proposal would refuse the very file the
# department wants, by a count the proposer cannot see.  The total stays bounded by the
# city itself: the proposer can answer only when asked, so it is at most five times one
# plus the number of questions.
MAX_FILES = 5
# Larger than any phone camera's picture (48 MP is 8064 × 6048); a file claiming more is a
# decompression bomb (a few kilobytes that would unpack into gigabytes) and is refused before
# its pixels are decoded.
MAX_PIXELS = 64_000_000
MAX_SIDE = 3000  # stored images: the longest side, in pixels
THUMB_SIDE = 320  # thumbnails for lists and the staff page
JPEG_QUALITY = 85
IMAGE_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "HEIF": "JPEG"}  # what we read → what we write
PDF_SIGNATURE = b"%PDF-"
# Keys and action types that make a PDF run something when opened or clicked.
SCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})
SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/Rendition"})
MAX_PDF_OBJECTS = 200_000

CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "PDF": "application/pdf"}
SUFFIXES = {"JPEG": ".jpg", "PNG": ".png", "PDF": ".pdf"}


class Refused(ValueError):
    """The file breaks ``rule`` (type, too_large, bomb, script, pdf_locked, pdf_damaged)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


@dataclass(frozen=True)
class CleanFile:
    """A file fit to keep: its clean bytes, their type, and (images) a thumbnail."""

    name: str
    content_type: str
    suffix: str
    data: bytes
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def clean(raw: bytes, name: str) -> CleanFile:
    """The clean copy of ``raw``, or :class:`Refused`."""
    if len(raw) > MAX_BYTES:
        raise Refused("too_large")
    if raw[:1024].find(PDF_SIGNATURE) != -1:
        from .pdfs import checked_pdf

        return checked_pdf(raw, name)
    from .images import clean_image

    return clean_image(raw, name)
