"""A sent image's clean copy: decoded by Pillow (``pillow-heif`` for iPhone photos), turned
upright, scaled, converted to sRGB and encoded again from its pixels alone, with a
thumbnail (the rules: :mod:`.inspect`).  Imported when an image is inspected."""

from __future__ import annotations

import io
import warnings

import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from .inspect import (
    CONTENT_TYPES,
    IMAGE_FORMATS,
    JPEG_QUALITY,
    MAX_PIXELS,
    MAX_SIDE,
    SUFFIXES,
    THUMB_SIDE,
    CleanFile,
    Refused,
)

pillow_heif.register_heif_opener()


def clean_image(raw: bytes, name: str) -> CleanFile:
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
