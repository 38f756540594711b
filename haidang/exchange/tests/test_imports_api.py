import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.exchange.models import ImportBatch
from haidang.exchange.services.imports import run_dry_run
from haidang.exchange.tests.registers import ACTIVITIES, CASES, activity_row, case_row, csv_bytes, xlsx
from haidang.prevention.models import Activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(client, api):
    """upload(username, kind, content, name) -> the import as the API shows it once its dry run is over."""

    def _upload(username, kind, content, name="so.xlsx", update_existing=False, expect=202):
        headers = api(username).headers
        response = client.post(
            "/api/v1/imports",
            {"kind": kind, "update_existing": update_existing, "file": SimpleUploadedFile(name, content)},
            headers=headers,
        )
        assert response.status_code == expect, response.content
        if expect != 202:
            return response.json()
        run_dry_run(response.json()["id"])  # the job the worker would run
        return client.get(f"/api/v1/imports/{response.json()['id']}", headers=headers).json()

    return _upload


def commit(api, username, batch):
    return api(username).post(f"/api/v1/imports/{batch['id']}/commit")


def test_activity_register_imported(upload, api):
    batch = upload("coordinator.hanoi", "activities", xlsx(ACTIVITIES, [activity_row(), activity_row("HD-002")]))
    assert batch["errors"] == [], batch["errors"]
    assert batch["status"] == "validated" and batch["progress"] == 100 and batch["created"] == 2
    assert Activity.objects.filter(title__startswith="Truyền thông phòng").count() == 0  # a dry run writes nothing
    response = commit(api, "coordinator.hanoi", batch)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "committed"
    activity = Activity.objects.filter(title__startswith="Truyền thông phòng").first()
    assert activity.participants == 1250 and activity.materials.get().distributed == 4000
    assert activity.cost == 12_500_000


def test_case_register_imported(upload, api):
    batch = upload("supervisor.hanoi", "cases", csv_bytes(CASES, [case_row()]), name="so.csv")
    assert batch["errors"] == [], batch["errors"]
    response = commit(api, "supervisor.hanoi", batch)
    assert response.json()["status"] == "committed", response.json()
    assert ImportBatch.objects.get().created_count == 1
