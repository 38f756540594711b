# Run with `manage.py shell`: one prevention file (in the file storage) and one sealed case file.
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.access.models import User
from haidang.cases.models import Case
from haidang.cases.protection.attachments import add_attachment
from haidang.prevention import services as prevention
from haidang.prevention.models import Activity

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
activity = Activity.objects.order_by("pk").first()
upload = SimpleUploadedFile("bien-ban.pdf", PDF)
prevention.add_attachment(actor=activity.created_by, activity=activity, uploaded_file=upload)
worker = User.objects.get(username="caseworker.hanoi")
case = Case.objects.filter(agency__name="Sở Y tế Thành phố Hà Nội").order_by("pk").first()
add_attachment(actor=worker, case=case, kind="decision", uploaded_file=SimpleUploadedFile("qd.pdf", PDF + b"%case"))
print("FILES ADDED")
