"""Case attachments: types by content, size limit, sealed at rest and bound to their row, downloads
only for readers who see identities, every download audited."""

import io
import struct
import zipfile
import zlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import protection, selectors, services
from haidang.cases.models import CaseAttachment, CaseEvent
from haidang.common import crypto
from haidang.common.keys import new_field_key
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

SECRET = b"CCCD 001190001234 Nguyen Thi Hoa (minh hoa)"
NAME = "CCCD Nguyễn Thị Hoà.pdf"


def png(width=2, height=2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"tEXt", b"Comment\x00" + SECRET)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + SECRET + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def office_zip(parts: dict[str, bytes], *, mimetype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"}


@pytest.fixture
def worker(demo_users):
    return demo_users["caseworker.hanoi"]


@pytest.fixture
def case(worker):
    case = services.create_case(
        actor=worker,
        person_data={"full_name": "Nguyễn Thị Hoà (minh họa)", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    return services.transition_case(actor=worker, case=case, target="received", version=case.version)


def upload(worker, case, content: bytes, name=NAME, kind="identification_document"):
    return protection.add_attachment(
        actor=worker, case=case, kind=kind, uploaded_file=SimpleUploadedFile(name, content)
    )


def refused_file(worker, case, content: bytes, name=NAME) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        upload(worker, case, content, name)
    return caught.value.message_dict["file"]


def raw_name(attachment) -> str:
    table = connection.ops.quote_name(CaseAttachment._meta.db_table)
    pk = CaseAttachment._meta.pk.get_db_prep_value(attachment.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT original_name FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def stored(attachment) -> bytes:
    return bytes(CaseAttachment.objects.values_list("content", flat=True).get(pk=attachment.pk))


def test_a_png_and_a_pdf_are_accepted_and_come_back_unchanged(worker, case):
    image = upload(worker, case, png(), name="ảnh.jpg", kind="photo")  # the name does not matter
    document = upload(worker, case, pdf())
    assert (image.content_type, image.size) == ("image/png", len(png()))
    assert document.content_type == "application/pdf"
    assert protection.download_attachment(actor=worker, attachment=image) == ("ảnh.jpg", "image/png", png())
    assert protection.download_attachment(actor=worker, attachment=document) == (NAME, "application/pdf", pdf())
    assert [a.pk for a in selectors.attachments_for(case)] == [image.pk, document.pk]


def test_office_documents_are_recognised_by_what_they_hold(worker, case):
    docx = upload(worker, case, office_zip(DOCX), name="quyet-dinh.bin", kind="decision")
    assert docx.content_type == protection.OFFICE_TYPES["docx"]
    odt = upload(worker, case, office_zip({"content.xml": b"<x/>"}, mimetype="application/vnd.oasis.opendocument.text"))
    assert odt.content_type == "application/vnd.oasis.opendocument.text"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le") + b"\x00" * 100
    assert upload(worker, case, ole, name="x.doc").content_type == "application/msword"


def test_anything_else_is_refused_whatever_its_name(worker, case):
    assert "PDF" in refused_file(worker, case, b"This is plain text, not a PDF.\n", name="giay-to.pdf")[0]
    assert refused_file(worker, case, b"<html><script>alert(1)</script></html>", name="anh.png")
    assert refused_file(worker, case, office_zip({"payload.exe": b"MZ"}), name="hop-dong.docx")
    assert refused_file(worker, case, office_zip({**DOCX, "word/vbaProject.bin": b"x"}), name="macro.docx")
    assert refused_file(worker, case, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="x.doc")
    assert refused_file(worker, case, b"MZ\x90\x00", name="scan.pdf")
    assert refused_file(worker, case, b"", name="empty.pdf")
    assert not CaseAttachment.objects.exists()


def test_a_file_over_the_limit_is_refused(worker, case, settings):
    too_big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
    assert "10" in refused_file(worker, case, too_big)[0]
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024
    assert refused_file(worker, case, png() + b"\x00" * 1024)
    assert upload(worker, case, png()).size < 1024
    assert CaseAttachment.objects.count() == 1


def test_the_file_and_its_name_are_sealed_at_rest(worker, case):
    attachment = upload(worker, case, pdf())
    blob = stored(attachment)
    assert blob.startswith(b"t1:") and attachment.key_id == "t1"
    assert SECRET not in blob and b"%PDF" not in blob and b"Nguyen" not in blob
    assert raw_name(attachment).startswith("enc:") and "Nguyễn" not in raw_name(attachment)
    assert attachment.sha256 == __import__("hashlib").sha256(pdf()).hexdigest()
    # Two uploads of the same file never share a ciphertext.
    assert stored(upload(worker, case, pdf())) != blob


def test_a_tampered_or_moved_blob_does_not_open(worker, case):
    first, second = upload(worker, case, pdf()), upload(worker, case, png())
    blob = bytearray(stored(first))
    blob[-1] ^= 0x01
    CaseAttachment.objects.filter(pk=first.pk).update(content=bytes(blob))
    with pytest.raises(crypto.DecryptionError):
        protection.download_attachment(actor=worker, attachment=first)
    # A blob copied into another row is bound to its own id and fails there too.
    CaseAttachment.objects.filter(pk=first.pk).update(content=stored(second))
    with pytest.raises(crypto.DecryptionError) as caught:
        protection.download_attachment(actor=worker, attachment=first)
    assert "Nguyen" not in str(caught.value)
    assert not AuditEntry.objects.filter(action="cases.attachment_downloaded").exists()


def test_downloads_are_only_for_readers_who_see_identities_and_always_audited(demo_users, worker, case):
    attachment = upload(worker, case, pdf())
    with pytest.raises(PermissionDenied):
        protection.download_attachment(actor=demo_users["coordinator.hanoi"], attachment=attachment)
    assert protection.download_attachment(actor=demo_users["caseworker.haiphong"], attachment=attachment) is None
    assert selectors.get_attachment_for_user(demo_users["caseworker.haiphong"], attachment.pk) is None
    assert selectors.get_attachment_for_user(worker, "not-a-uuid") is None
    found = selectors.get_attachment_for_user(worker, attachment.pk)
    assert protection.download_attachment(actor=demo_users["supervisor.hanoi"], attachment=found)[2] == pdf()
    downloads = AuditEntry.objects.filter(action="cases.attachment_downloaded", object_id=str(case.pk))
    assert [(e.actor_username, e.changes["attachment"]) for e in downloads] == [
        ("supervisor.hanoi", str(attachment.pk))
    ]
    refusal = AuditEntry.objects.get(action="cases.attachment_download_refused")
    assert refusal.actor_username == "coordinator.hanoi"
    added = AuditEntry.objects.get(action="cases.attachment_added", object_id=str(case.pk))
    assert added.changes["original_name"] == "***" and added.changes["content_type"] == "application/pdf"
    (event,) = CaseEvent.objects.filter(case=case, kind="attachment_added")
    assert "Nguyễn" not in str(event.data) and event.data["kind"] == "identification_document"


def test_only_those_who_edit_the_case_attach_files(demo_users, case):
    for name in ("coordinator.hanoi", "caseworker.haiphong"):
        with pytest.raises(PermissionDenied):
            upload(demo_users[name], case, pdf())
    with pytest.raises(ValidationError) as caught:
        upload(demo_users["caseworker.hanoi"], case, pdf(), kind="selfie")
    assert set(caught.value.message_dict) == {"kind"}


def test_files_are_sealed_again_under_a_new_key(worker, case, settings):
    attachment = upload(worker, case, pdf())
    settings.FIELD_ENCRYPTION_KEYS = [new_field_key("k2"), *settings.FIELD_ENCRYPTION_KEYS]
    assert protection.download_attachment(actor=worker, attachment=attachment)[2] == pdf()
    assert protection.reseal_attachment(attachment) is True
    assert stored(attachment).startswith(b"k2:")
    assert protection.reseal_attachment(attachment) is False
    assert protection.download_attachment(actor=worker, attachment=attachment)[2] == pdf()


def test_rotate_case_files_command_reseals_every_file(worker, case, settings):
    from io import StringIO

    from django.core.management import call_command

    from haidang.common.keys import new_field_key

    attachment = upload(worker, case, png())
    settings.FIELD_ENCRYPTION_KEYS = [new_field_key("k9"), *settings.FIELD_ENCRYPTION_KEYS]
    out = StringIO()
    call_command("rotate_case_files", stdout=out)
    assert "Re-sealed 1" in out.getvalue() and "0 remaining" in out.getvalue()
    attachment.refresh_from_db()
    assert attachment.key_id == "k9"
