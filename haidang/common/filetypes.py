"""What a file is, from its content alone: every upload path checks with `sniff_content_type`."""

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from haidang.common.text import clean_text

OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_PARTS = (("word/", OFFICE_TYPES["docx"]), ("xl/", OFFICE_TYPES["xlsx"]), ("ppt/", OFFICE_TYPES["pptx"]))
_ODF_TYPES = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
# Stream names in the directory of an OLE compound file (UTF-16LE), most specific first.
_OLE_STREAMS = (
    ("WordDocument", OFFICE_TYPES["doc"]),
    ("Workbook", OFFICE_TYPES["xls"]),
    ("PowerPoint Document", OFFICE_TYPES["ppt"]),
    ("Book", OFFICE_TYPES["xls"]),
)


def _zip_office_type(content: bytes) -> str | None:
    """An OOXML or OpenDocument file by what the archive holds; any other zip (or one with macros) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
            if "[Content_Types].xml" in names:
                return next(
                    (kind for prefix, kind in _OOXML_PARTS if any(name.startswith(prefix) for name in names)), None
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    return None


def _ole_office_type(content: bytes) -> str | None:
    if "_VBA_PROJECT".encode("utf-16-le") in content:
        return None
    return next((kind for stream, kind in _OLE_STREAMS if stream.encode("utf-16-le") in content), None)


def sniff_content_type(content: bytes) -> str | None:
    """The type of a file from its bytes alone (never its name): PDF, PNG, JPEG, GIF, WebP, or an
    office document (Word, Excel, PowerPoint, OpenDocument); None for anything else.

    Zip and OLE containers are accepted only as office documents, recognised from what they
    hold; macros are refused.
    """
    for signature, content_type in _MAGIC:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _zip_office_type(content)
    if content.startswith(_OLE_MAGIC):
        return _ole_office_type(content)
    return None


_END_OF_CENTRAL_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"


def _declared_entry_count(content: bytes) -> int | None:
    """The entry count a zip's end record declares, read from its last bytes (nothing is parsed or inflated)."""
    # The end record is 22 bytes plus a comment of at most 65,535 bytes, at the very end of the file.
    at = content.rfind(_END_OF_CENTRAL_DIRECTORY, max(0, len(content) - 22 - 65_535))
    if at < 0 or len(content) < at + 22:
        return None
    (entries,) = struct.unpack_from("<H", content, at + 10)
    if entries == 0xFFFF or content.rfind(_ZIP64_LOCATOR, max(0, at - 20), at) >= 0:
        return None  # Zip64: the real count is elsewhere; the central directory below is counted instead.
    return entries


# An entry that inflates more than this many times its packed size, once past the size below, is a bomb
# (spreadsheet XML packs 10-30 times; a bomb of zeros a thousand times).
ZIP_MAX_RATIO = 200
ZIP_RATIO_FROM_BYTES = 10 * 1024 * 1024


def check_zip_limits(content: bytes, *, field: str = "file") -> None:
    """Refuse a zip container (office documents are zips) that would unpack into too much.

    Only the archive's directory is read: the entry count first from its end record, then the sizes
    each entry declares. A reader (zipfile, openpyxl) never inflates an entry past its declared size,
    so the sum of declared sizes bounds what opening the file can cost. Limits:
    UPLOAD_MAX_UNCOMPRESSED_BYTES, UPLOAD_MAX_ZIP_ENTRIES, and ZIP_MAX_RATIO for an entry past ZIP_RATIO_FROM_BYTES.
    """
    max_entries = settings.UPLOAD_MAX_ZIP_ENTRIES
    max_bytes = settings.UPLOAD_MAX_UNCOMPRESSED_BYTES
    too_many = _("The file holds more than %(count)s parts; it cannot be a normal document.") % {"count": max_entries}
    declared = _declared_entry_count(content)
    if declared is not None and declared > max_entries:
        raise ValidationError({field: [too_many]})
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return  # Not a readable zip: the content check refuses it.
    if len(entries) > max_entries:
        raise ValidationError({field: [too_many]})
    if sum(entry.file_size for entry in entries) > max_bytes:
        raise ValidationError(
            {
                field: [
                    _("The file unpacks to more than %(limit)s; it cannot be accepted.")
                    % {"limit": filesizeformat(max_bytes)}
                ]
            }
        )
    bomb = _("The file would unpack to far more than it holds (a compressed bomb); it cannot be accepted.")
    if any(
        entry.file_size > ZIP_RATIO_FROM_BYTES and entry.file_size > ZIP_MAX_RATIO * max(entry.compress_size, 1)
        for entry in entries
    ):
        raise ValidationError({field: [bomb]})


CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"
SPREADSHEET_TYPES = frozenset({OFFICE_TYPES["xlsx"], CSV_TYPE})
_SHEET_DIMENSION = re.compile(rb"<(?:\w+:)?dimension[^>]*\bref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")


def _has_macros(content: bytes) -> bool:
    if content.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return any(name.lower().endswith("vbaproject.bin") for name in archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
            return False
    return content.startswith(_OLE_MAGIC) and "_VBA_PROJECT".encode("utf-16-le") in content


def _utf8_head(content: bytes) -> str | None:
    """The first 64 KiB as text when they are UTF-8 (a multi-byte character cut at the end is fine)."""
    head = content[:65_536]
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:
            return None
        return head[: error.start].decode("utf-8-sig")


def _is_json(content: bytes) -> bool:
    """UTF-8 text that opens a JSON object or list (the whole is parsed by the reader)."""
    text = _utf8_head(content)
    return text is not None and text.lstrip()[:1] in ("{", "[")


def _is_csv(content: bytes) -> bool:
    """Text in UTF-8 (with or without its mark), no NUL bytes, with a separator on its first line."""
    text = _utf8_head(content)
    if text is None:
        return False
    first = text.split("\n", 1)[0]
    return ";" in first or "," in first


def count_rows(content: bytes, content_type: str) -> int | None:
    """The rows a spreadsheet or CSV declares, without reading it: a CSV's lines, or the last row of the
    first sheet's dimension (only the sheet's first bytes are inflated). None when it does not say."""
    if content_type == CSV_TYPE:
        return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
            if not sheets:
                return None
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError, NotImplementedError):
        return None
    found = _SHEET_DIMENSION.search(head)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content: bytes
    content_type: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_upload(
    uploaded_file,
    *,
    max_bytes: int,
    field: str = "file",
    accept: frozenset[str] | None = None,
    max_rows: int | None = None,
) -> CheckedUpload:
    """Read an uploaded file (never more than `max_bytes` + 1) and accept it only if it is not empty,
    not too large and of an accepted type by content; otherwise ValidationError naming `field`.

    A zip (every office document) is measured from its directory before anything is inflated: its
    entries, their total unpacked size and each one's packing ratio. A workbook with macros is refused
    by name. `accept` narrows the types (`SPREADSHEET_TYPES` for imports: XLSX and UTF-8 CSV, which is
    accepted only when asked for); `max_rows` refuses a sheet or CSV that declares more rows."""
    if uploaded_file is None:
        raise ValidationError({field: [_("Choose a file.")]})
    too_large = _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)}
    if (getattr(uploaded_file, "size", None) or 0) > max_bytes:
        raise ValidationError({field: [too_large]})
    content = _read_limited(uploaded_file, max_bytes)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if len(content) > max_bytes:
        raise ValidationError({field: [too_large]})
    if not content:
        raise ValidationError({field: [_("The file is empty.")]})
    if content.startswith(b"PK"):
        # Before anything inside is read: a small zip may unpack into gigabytes.
        check_zip_limits(content, field=field)
    if _has_macros(content):
        raise ValidationError({field: [_("The workbook contains macros; save it as a plain workbook (.xlsx).")]})
    content_type = sniff_content_type(content)
    if content_type is None and accept is not None and CSV_TYPE in accept and _is_csv(content):
        content_type = CSV_TYPE
    if content_type is None and accept is not None and JSON_TYPE in accept and _is_json(content):
        content_type = JSON_TYPE
    if accept is not None and content_type not in accept:
        if accept == frozenset({JSON_TYPE}):
            raise ValidationError({field: [_("Only JSON files in UTF-8 are accepted here.")]})
        raise ValidationError({field: [_("Only Excel workbooks (.xlsx) and CSV files in UTF-8 are accepted.")]})
    if content_type is None:
        raise ValidationError(
            {field: [_("Only PDF, images (PNG, JPEG, GIF, WebP) and office documents are accepted.")]}
        )
    if max_rows is not None:
        rows = count_rows(content, content_type)
        if rows is not None and rows > max_rows + 1:  # the header row is not counted
            raise ValidationError(
                {
                    field: [
                        _("The file has more than %(count)s rows; split it into smaller files.") % {"count": max_rows}
                    ]
                }
            )
    return CheckedUpload(name=_file_name(uploaded_file), content=content, content_type=content_type)


def _file_name(uploaded_file) -> str:
    # The browser may send a path; keep the last part, printable and NFC.
    name = str(getattr(uploaded_file, "name", "") or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in clean_text(name) if ch.isprintable())
    return name[:255] or "file"


def _read_limited(uploaded_file, limit: int) -> bytes:
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        parts, total = [], 0
        for chunk in uploaded_file.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                break
        return b"".join(parts)
    return uploaded_file.read(limit + 1)
