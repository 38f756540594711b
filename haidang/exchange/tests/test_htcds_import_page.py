"""The page for a partner's HTCDS file: upload, the dry run's errors in Vietnamese, then the commit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.access.models import Agency
from haidang.cases.models import Case
from haidang.exchange.models import ImportBatch
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.tests.test_htcds_import import BAD, GOOD, HEADER, IOM

pytestmark = pytest.mark.django_db


def upload(client, text: str):
    return client.post(
        "/exchange/imports/htcds/",
        {
            "partner": Agency.objects.get(name=IOM).pk,
            "intake_channel": "border_handover",
            "file": SimpleUploadedFile("iom.csv", text.encode()),
        },
    )


def test_upload_read_the_errors_in_vietnamese_fix_and_commit(sign_in, demo_users):
    client = sign_in(demo_users["supervisor.hanoi"])
    page = client.get("/exchange/imports/htcds/").content.decode()
    assert "Nhập bản ghi HTCDS từ đối tác" in page and IOM in page
    response = upload(client, "\n".join([HEADER, GOOD, BAD]))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.partner.name) == ("htcds", IOM)
    assert "hx-get" in client.get(response["Location"]).content.decode()  # progress, polled while it is read
    run_dry_run(batch.pk)
    result = client.get(response["Location"]).content.decode()
    assert "31/11/2023" in result and "prs_Gender" in result and "Woman" in result
    assert f"/exchange/imports/{batch.pk}/commit" not in result  # errors: nothing to commit

    before = Case.objects.count()
    fixed = upload(client, "\n".join([HEADER, GOOD]))
    batch = ImportBatch.objects.exclude(pk=batch.pk).get()
    run_dry_run(batch.pk)
    assert f"/exchange/imports/{batch.pk}/commit" in client.get(fixed["Location"]).content.decode()
    assert client.post(f"/exchange/imports/{batch.pk}/commit").status_code == 302
    assert Case.objects.count() == before + 1
    listed = client.get("/exchange/imports/htcds/").content.decode()
    assert f"/exchange/imports/{batch.pk}/" in listed


def test_a_role_that_may_not_write_cases_is_refused(sign_in, demo_users):
    client = sign_in(demo_users["coordinator.hanoi"])
    response = upload(client, "\n".join([HEADER, GOOD]))
    assert response.status_code == 200 and "Bạn không được nhập hồ sơ." in response.content.decode()
    assert not ImportBatch.objects.exists()
