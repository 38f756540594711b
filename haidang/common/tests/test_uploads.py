"""The one upload check refuses a zip that would unpack into too much, before inflating anything."""

import io
import zipfile
from functools import lru_cache

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from haidang.common.filetypes import OFFICE_TYPES, check_upload

pytestmark = pytest.mark.usefixtures("english")

ZEROS = b"\0" * (1024 * 1024)


def _office_zip(parts: dict[str, int] | None = None, *, count: int = 0) -> bytes:
    """A zip that looks like an .xlsx: `parts` maps a name to a size in MiB of zeros; `count` adds tiny parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name, mebibytes in (parts or {}).items():
            with archive.open(name, "w", force_zip64=True) as part:
                for _ in range(mebibytes):
                    part.write(ZEROS)
        for index in range(count):
            archive.writestr(f"xl/worksheets/sheet{index}.xml", "<x/>")
    return buffer.getvalue()


@lru_cache(maxsize=1)
def zip_bomb_bytes() -> bytes:
    """300 MiB of zeros in one sheet of an .xlsx: a few hundred kilobytes on the wire (other apps' tests use it)."""
    return _office_zip({"xl/worksheets/sheet1.xml": 300})


@pytest.fixture
def zip_bomb() -> bytes:
    return zip_bomb_bytes()


def _check(content: bytes, name="so-lieu.xlsx"):
    return check_upload(SimpleUploadedFile(name, content), max_bytes=20 * 1024 * 1024)


def test_a_zip_bomb_named_xlsx_is_refused_naming_the_file(zip_bomb):
    assert len(zip_bomb) < 2 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        _check(zip_bomb)
    assert refused.value.message_dict == {"file": ["The file unpacks to more than 200.0\xa0MB; it cannot be accepted."]}


def test_a_zip_with_too_many_parts_is_refused(settings):
    with pytest.raises(ValidationError) as refused:
        _check(_office_zip(count=settings.UPLOAD_MAX_ZIP_ENTRIES))
    assert refused.value.message_dict == {
        "file": [f"The file holds more than {settings.UPLOAD_MAX_ZIP_ENTRIES} parts; it cannot be a normal document."]
    }


def test_the_limits_are_settings_and_a_real_workbook_passes(settings):
    workbook = Workbook()
    workbook.active.append(["Xã", "Số vụ"])
    workbook.active.append(["Thạch Thất", 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _check(buffer.getvalue()).content_type == OFFICE_TYPES["xlsx"]
    # Just at the limits passes; one byte or one part over is refused.
    content = _office_zip({"xl/worksheets/sheet1.xml": 2})
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = unpacked
    settings.UPLOAD_MAX_ZIP_ENTRIES = 2
    assert _check(content).content_type == OFFICE_TYPES["xlsx"]
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = unpacked - 1
    with pytest.raises(ValidationError):
        _check(content)
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = unpacked
    settings.UPLOAD_MAX_ZIP_ENTRIES = 1
    with pytest.raises(ValidationError):
        _check(content)
