"""Attachments: PDF, images and office documents recognised by their content, size-limited,
sealed with the field-encryption keys and bound to their row; every download audited."""

import hashlib
import os

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haidang.audit.services import record_event
from haidang.cases.models import AttachmentKind, Case, CaseAttachment
from haidang.cases.protection._common import _add, _finish, _require_edit
from haidang.cases.selectors import can_see_identity, get_case_for_user
from haidang.common import crypto
from haidang.common.filetypes import OFFICE_TYPES, check_upload, sniff_content_type  # noqa: F401 (re-exported)

DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def max_attachment_bytes() -> int:
    return int(getattr(settings, "CASE_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


def _attachment_context(attachment_id) -> bytes:
    return f"cases.caseattachment.content:{attachment_id}".encode()


def seal_attachment_content(attachment_id, plaintext: bytes) -> tuple[str, bytes]:
    """(key id, stored bytes): '<key id>:' + nonce + AES-256-GCM(plaintext), bound to the attachment id."""
    ring = crypto.key_ring()
    nonce = os.urandom(crypto.NONCE_BYTES)
    sealed = ring.keys[ring.active_id].encrypt(nonce, plaintext, _attachment_context(attachment_id))
    return ring.active_id, ring.active_id.encode("ascii") + b":" + nonce + sealed


def open_attachment_content(attachment_id, stored) -> bytes:
    """The plaintext of a stored blob; crypto.DecryptionError (never any content) if it does not open."""
    where = f"cases.caseattachment.content {attachment_id}"
    raw = bytes(stored or b"")
    key_id, separator, blob = raw.partition(b":")
    key_text = key_id.decode("ascii", "replace")
    if not separator or not crypto.KEY_ID_PATTERN.fullmatch(key_text):
        raise crypto.DecryptionError(f"{where}: malformed sealed file")
    if len(blob) < crypto.NONCE_BYTES + crypto.TAG_BYTES:
        raise crypto.DecryptionError(f"{where}: malformed sealed file")
    aead = crypto.key_ring().keys.get(key_text)
    if aead is None:
        raise crypto.DecryptionError(f"{where}: no key with id {key_text!r} is configured")
    try:
        return aead.decrypt(blob[: crypto.NONCE_BYTES], blob[crypto.NONCE_BYTES :], _attachment_context(attachment_id))
    except InvalidTag:
        raise crypto.DecryptionError(f"{where}: sealed file failed authentication (altered or moved)") from None


@transaction.atomic
def add_attachment(*, actor, case: Case, kind: str, uploaded_file) -> CaseAttachment:
    """Keep a file with the case: type checked by content, at most CASE_ATTACHMENT_MAX_BYTES, sealed."""
    _require_edit(actor, case)
    errors: dict = {}
    if kind not in AttachmentKind.values:
        _add(errors, "kind", _("Choose the kind of document from the list."))
    upload = None
    try:
        upload = check_upload(uploaded_file, max_bytes=max_attachment_bytes())
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    content, content_type, name = upload.content, upload.content_type, upload.name
    attachment = CaseAttachment(
        case=case,
        kind=kind,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=actor,
    )
    attachment.key_id, attachment.content = seal_attachment_content(attachment.pk, content)
    attachment.save(force_insert=True)
    _finish(
        case,
        actor=actor,
        kind="attachment_added",
        action="cases.attachment_added",
        data={"attachment": str(attachment.pk), "kind": kind, "content_type": content_type, "size": len(content)},
        changes={
            "attachment": str(attachment.pk),
            "kind": kind,
            "content_type": content_type,
            "size": len(content),
            "original_name": name,
        },
        identifying={"original_name"},
    )
    return attachment


def download_attachment(*, actor, attachment: CaseAttachment) -> tuple[str, str, bytes] | None:
    """(file name, content type, bytes) for a reader who may see identities on the case; audited.

    None if the case is outside the actor's scope (answer 404, as for a missing file);
    PermissionDenied (the refusal audited) for a reader who sees the case with identities masked,
    since a document may show who the person is. A blob that fails to open or whose SHA-256 differs
    raises crypto.DecryptionError and hands out nothing.
    """
    case = get_case_for_user(actor, attachment.case_id, purpose="attachment")
    if case is None:
        return None
    if not can_see_identity(actor, case):
        record_event(
            action="cases.attachment_download_refused",
            actor=actor,
            target=case,
            unit=case.unit,
            changes={"attachment": str(attachment.pk)},
        )
        raise PermissionDenied
    row = CaseAttachment.objects.filter(pk=attachment.pk, case=case).first()
    if row is None:
        return None
    content = open_attachment_content(row.pk, row.content)
    if hashlib.sha256(content).hexdigest() != row.sha256:
        raise crypto.DecryptionError(f"cases.caseattachment.content {row.pk}: checksum differs")
    record_event(
        action="cases.attachment_downloaded",
        actor=actor,
        target=case,
        unit=case.unit,
        changes={"attachment": str(row.pk), "kind": row.kind, "size": row.size},
    )
    return row.original_name, row.content_type, content


def reseal_attachment(attachment: CaseAttachment) -> bool:
    """Seal the content again under the active key (key rotation); True if it was under another key.

    `manage.py rotate_field_keys` handles EncryptedTextFields only; files need this, row by row.
    """
    ring = crypto.key_ring()
    with transaction.atomic():
        row = CaseAttachment.objects.select_for_update().filter(pk=attachment.pk).first()
        if row is None or row.key_id == ring.active_id:
            return False
        key_id, sealed = seal_attachment_content(row.pk, open_attachment_content(row.pk, row.content))
        CaseAttachment.objects.filter(pk=row.pk).update(key_id=key_id, content=sealed)
    return True
