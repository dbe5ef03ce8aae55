"""What a sent file is, decided from its content alone, and its clean copy (SPEC section 2).

The name and the declared type are never asked.  An image is what Pillow (with
``pillow-heif`` for iPhone photos) opens as JPEG, PNG or HEIF; it is decoded, turned
upright by its EXIF orientation, scaled down to :data:`MAX_SIDE`, converted to sRGB and
encoded again from its pixels alone — no EXIF (GPS positions, the camera's serial
number), no XMP, no ICC profile, no comments, whatever the original held — with a
thumbnail beside it.  HEIC/HEIF comes back as JPEG.  A PDF is a file that starts with the
PDF signature and that pypdf parses; one holding JavaScript or a launch action is refused
(:data:`SCRIPT_KEYS`), and every PDF is served as a download only, never inline.

Refusals raise :class:`Refused` with the rule broken (``type``, ``too_large``, ``bomb``,
``script``); the form words them (``forms/attachments.py``).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024  # 10 MB each (SPEC section 2)
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
    """The file breaks ``rule`` (type, too_large, bomb, script)."""

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
        return _pdf(raw, name)
    return _image(raw, name)


# --- images ------------------------------------------------------------------------------


def _image(raw: bytes, name: str) -> CleanFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=list(IMAGE_FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise Refused("bomb")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Refused("bomb") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
            EOFError) as exc:  # not an image, or a broken one
        if isinstance(exc, Refused):
            raise
        raise Refused("type") from exc
    written = IMAGE_FORMATS[image.format]
    upright = _pixels_only(ImageOps.exif_transpose(image), image.info.get("icc_profile"),
                           keep_alpha=written == "PNG")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    thumb = upright.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    return CleanFile(name=name, content_type=CONTENT_TYPES[written],
                     suffix=SUFFIXES[written], data=_encode(upright, written),
                     thumbnail=_encode(_flat(thumb), "JPEG"), width=upright.width,
                     height=upright.height)


def _pixels_only(image: Image.Image, icc: bytes | None, *, keep_alpha: bool) -> Image.Image:
    """A new image from ``image``'s pixels (in sRGB) and nothing else: no ``info``, no EXIF."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and keep_alpha else "RGB"
    if image.mode in ("L", "1") and not has_alpha:
        mode = "L"
    converted = image.convert(mode) if image.mode != mode else image
    if icc and mode in ("RGB", "RGBA"):
        converted = _to_srgb(converted, icc)
    if not keep_alpha and mode == "RGBA":
        converted = _flat(converted)
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Colours as the camera meant them (an iPhone writes Display P3) in sRGB, the colour
    space a file without a profile is read in."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                         outputMode=image.mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: keep the pixels as they are


def _flat(image: Image.Image) -> Image.Image:
    """RGB on white (JPEG has no transparency)."""
    if image.mode in ("RGB", "L"):
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _encode(image: Image.Image, written: str) -> bytes:
    out = io.BytesIO()
    if written == "JPEG":
        _flat(image).save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------


def _pdf(raw: bytes, name: str) -> CleanFile:
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise Refused("type")  # cannot be looked into
        if len(reader.pages) < 1:
            raise Refused("type")
        if _runs_something(reader):
            raise Refused("script")
    except Refused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError,
            RecursionError, IndexError, AssertionError) as exc:
        raise Refused("type") from exc
    return CleanFile(name=name, content_type=CONTENT_TYPES["PDF"], suffix=SUFFIXES["PDF"],
                     data=raw)


def _runs_something(reader: PdfReader) -> bool:
    """Whether any object reachable from the trailer holds JavaScript or an action that
    launches, imports or plays something (names are compared decoded: ``/J#61vaScript``
    is ``/JavaScript``)."""
    stack: list[object] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    visited = 0
    while stack:
        item = stack.pop()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            raise Refused("type")
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(item.get_object())
        elif isinstance(item, DictionaryObject):  # streams too (their dictionary)
            if SCRIPT_KEYS & set(item.keys()):
                return True
            action = item.get("/S")
            if isinstance(action, IndirectObject):
                action = action.get_object()
            if isinstance(action, NameObject) and action in SCRIPT_ACTIONS:
                return True
            stack.extend(v for k, v in item.items() if k != "/Parent")
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False
