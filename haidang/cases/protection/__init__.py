"""Protection, shelter stays, reintegration applications, linked persons and attachments of a case.

Kept beside services, like support.py, because each is one topic with its own rules, in its own module:

- `protection`: protection decisions (Law 53/2024 Art. 34–35, Decree 162/2025), refusals and ends.
- `shelter`: shelter stays against the 120-day limit (Decree 162 Art. 17).
- `reintegration`: Form 07 reintegration applications, decided within 9 working days of receipt.
- `people`: accompanying children and relatives as linked persons, with identities sealed as at intake.
- `attachments`: files kept with the case, sealed, every download audited.
- `_common`: the checks they share.

The reads (decisions, stays and applications as a reader may see them, with their deadlines, and the
attachments of a case) are in `cases.selectors`, like every scoped read.

Every write is atomic, checks that the actor may edit the case, names the field of each refusal,
writes a timeline event and an audit entry. Nothing identifying goes into either (the timeline is
shown to readers who see identities masked): no names, no risk assessment, no reasons given by
the person, no facility, no file name.
New records need an open case; finishing existing ones (ending, deciding) is allowed after closure.
"""

from haidang.cases.protection._common import ADULT_AGE
from haidang.cases.protection.attachments import (
    DEFAULT_ATTACHMENT_MAX_BYTES,
    OFFICE_TYPES,
    add_attachment,
    check_upload,
    download_attachment,
    max_attachment_bytes,
    open_attachment_content,
    reseal_attachment,
    seal_attachment_content,
    sniff_content_type,
)
from haidang.cases.protection.people import link_person, update_link
from haidang.cases.protection.protection import decide_protection, end_protection, record_refusal
from haidang.cases.protection.reintegration import IDENTIFIED_STATUSES, decide_application, receive_application
from haidang.cases.protection.shelter import end_stay, extend_stay, start_stay

__all__ = [
    "ADULT_AGE",
    "DEFAULT_ATTACHMENT_MAX_BYTES",
    "IDENTIFIED_STATUSES",
    "OFFICE_TYPES",
    "add_attachment",
    "check_upload",
    "decide_application",
    "decide_protection",
    "download_attachment",
    "end_protection",
    "end_stay",
    "extend_stay",
    "link_person",
    "max_attachment_bytes",
    "open_attachment_content",
    "receive_application",
    "record_refusal",
    "reseal_attachment",
    "seal_attachment_content",
    "sniff_content_type",
    "start_stay",
    "update_link",
]
