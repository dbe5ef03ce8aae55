"""Files for the attachment tests, made on the spot: a phone photo with GPS and maker EXIF,
an iPhone HEIC photo, an HTML page named .jpg, PDFs with and without JavaScript, PDFs that
cannot be looked into (password-protected, without pages, cut off), an 11 MB file and a
decompression bomb."""

from __future__ import annotations

import io

import pillow_heif
from PIL import ExifTags, Image

pillow_heif.register_heif_opener()

GPS_LATITUDE = (35.0, 41.0, 22.0)
MAKER = "TeianPhone Inc."


def jpeg_with_gps(size=(640, 480), orientation: int = 6) -> bytes:
    """A camera JPEG: GPS position, maker and model, a comment, rotated by EXIF."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 4))  # a mark at the top-left
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKER
    exif[ExifTags.Base.Model] = "TP-1"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (139.0, 41.0, 30.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"home of the proposer")
    return out.getvalue()


def heic_photo(size=(400, 300)) -> bytes:
    image = Image.new("RGB", size, (30, 160, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKER
    out = io.BytesIO()
    image.save(out, "HEIF", exif=exif.tobytes())
    return out.getvalue()


def png_photo(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 120, 200, 200)).save(out, "PNG")
    return out.getvalue()


HTML_AS_JPEG = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def _pdf(extra_catalog: str = "", extra_objects: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF with its cross-reference table right (pypdf reads it strictly)."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {extra_catalog}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def plain_pdf() -> bytes:
    return _pdf()


def pdf_with_javascript() -> bytes:
    """Opens with a script (an /OpenAction of type /JavaScript, its name hex-escaped)."""
    return _pdf("/OpenAction 4 0 R ", ("<< /S /J#61vaScript /JS (app.alert\\(1\\)) >>",))


def password_protected_pdf() -> bytes:
    """The plain PDF encrypted with a password, as a scanner's "secure PDF" is."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_without_pages() -> bytes:
    return _pdf().replace(b"/Kids [3 0 R] /Count 1", b"/Kids [] /Count 0")


def cut_off_pdf() -> bytes:
    """A PDF cut off early (a download that stopped): its signature, then nothing whole."""
    return plain_pdf()[:40]


def eleven_megabytes() -> bytes:
    """A JPEG header followed by 11 MB: too large, whatever it is."""
    return jpeg_with_gps() + b"\0" * (11 * 1024 * 1024)


def decompression_bomb() -> bytes:
    """A few kilobytes of PNG that would unpack to 100 megapixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG", optimize=True)
    return out.getvalue()
