# Run with `manage.py shell`: one digest of what a restore must bring back (sealed names opened, files,
# the audit chain); prints only the digest and counts, never a value.
import hashlib

from django.core.files.storage import default_storage

from haidang.audit.models import AuditEntry
from haidang.audit.verification import verify_log
from haidang.cases.models import CaseAttachment, Person
from haidang.cases.protection.attachments import open_attachment_content
from haidang.prevention.models import ActivityAttachment
from haidang.proceedings.models import Suspect

digest = hashlib.sha256()
for person in Person.objects.order_by("pk"):
    digest.update(f"{person.pk}|{person.full_name}|{person.document_number}".encode())
for suspect in Suspect.objects.order_by("pk"):
    digest.update(f"{suspect.pk}|{suspect.full_name}".encode())
for attachment in ActivityAttachment.objects.order_by("pk"):
    with default_storage.open(attachment.file.name, "rb") as handle:
        digest.update(handle.read())
for attachment in CaseAttachment.objects.order_by("pk"):
    digest.update(open_attachment_content(attachment.pk, attachment.content))
chain = verify_log(checkpoints=False)
assert chain.intact, chain.problem.describe()
# The entries themselves (seals may be added after a restore, for entries the backup had not sealed yet).
for entry_id, entry_hash in AuditEntry.objects.order_by("id").values_list("id", "entry_hash"):
    digest.update(f"{entry_id}|{entry_hash}".encode())
print("DIGEST", digest.hexdigest(), Person.objects.count(), ActivityAttachment.objects.count(), chain.count)
