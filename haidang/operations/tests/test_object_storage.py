"""Uploaded files on S3-compatible object storage, against a real S3-compatible server (moto's) started here."""

import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.operations.tests.installation import free_port

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
BUCKET = "haidang-test-files"


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the S3-compatible server did not start")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture
def object_storage(s3_server, settings, tmp_path):
    import boto3

    client = boto3.client(
        "s3", endpoint_url=s3_server, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    client.create_bucket(Bucket=BUCKET)
    settings.MEDIA_ROOT = tmp_path  # Must stay empty: nothing goes to local disk.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_an_uploaded_file_is_kept_in_the_bucket_and_served_through_the_application(
    object_storage, as_user, demo_users, settings
):
    from haidang.prevention.tests.test_views import make_activity

    activity = make_activity(demo_users["commune.hanoi.a"])
    client = as_user("commune.hanoi.a")
    response = client.post(f"/prevention/activities/{activity.pk}/", {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
    assert response.status_code == 302
    attachment = activity.attachments.get()
    keys = [item["Key"] for item in object_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [attachment.file.name]
    assert object_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == PDF
    assert default_storage.__class__.__name__ == "S3Storage"
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    download = client.get(f"/prevention/activities/{activity.pk}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # Outside the scope it is a 404 like a missing file; the bucket is never linked to.
    outsider = as_user("commune.hanoi.b")
    assert outsider.get(f"/prevention/activities/{activity.pk}/files/{attachment.pk}/").status_code == 404


def test_the_settings_choose_object_storage_from_the_environment(monkeypatch):
    import importlib

    import config.settings as live

    monkeypatch.setenv("S3_BUCKET", "ho-so")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("HAIDANG_ENV", "test")
    try:
        reloaded = importlib.reload(live)
        default = reloaded.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["bucket_name"] == "ho-so"
        assert default["OPTIONS"]["endpoint_url"] == "http://127.0.0.1:9000"
    finally:
        monkeypatch.delenv("S3_BUCKET")
        monkeypatch.delenv("S3_ENDPOINT_URL")
        assert importlib.reload(live).STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
