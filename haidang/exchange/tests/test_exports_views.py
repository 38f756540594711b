"""The export pages: ask, approve as a second person, download once."""

import pytest

from haidang.access.models import Agency
from haidang.exchange.models import Export
from haidang.exchange.tests.test_exports_api import IOM, partner_cases, research_cases  # noqa: F401

pytestmark = pytest.mark.django_db


def test_ask_for_a_partner_exchange_and_download_it_once(as_user, partner_cases):  # noqa: F811
    client = as_user("supervisor.hanoi")
    page = client.get("/exchange/exports/")
    assert page.status_code == 200 and "HTCDS" in page.content.decode()
    iom = Agency.objects.get(name=IOM)
    answer = client.post(
        "/exchange/exports/",
        {"audience": "partner", "recipient": iom.pk, "purpose": "Hỗ trợ tái hòa nhập", "file_format": "csv"},
    )
    export = Export.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"/exchange/exports/{export.pk}/")
    detail = client.get(answer.url).content.decode()
    assert "Cases left out for lack of consent" in detail and "Download (once)" in detail
    download = client.post(f"/exchange/exports/{export.pk}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"prs_FirstName" in b"".join(download.streaming_content)
    again = client.post(f"/exchange/exports/{export.pk}/download/", follow=True)
    assert "already been downloaded" in again.content.decode()


def test_a_research_extract_is_approved_on_its_page_by_someone_else(as_user, research_cases):  # noqa: F811
    supervisor = as_user("supervisor.hanoi")
    iom = Agency.objects.get(name=IOM)
    supervisor.post(
        "/exchange/exports/",
        {"audience": "research", "recipient": iom.pk, "purpose": "Nghiên cứu", "file_format": "json"},
    )
    export = Export.objects.get()
    assert "Approve the release" not in supervisor.get(f"/exchange/exports/{export.pk}/").content.decode()
    coordinator = as_user("coordinator.hanoi")
    page = coordinator.get(f"/exchange/exports/{export.pk}/").content.decode()
    assert "Approve the release" in page and "k = 11" in page
    coordinator.post(f"/exchange/exports/{export.pk}/approve/", {"version": export.version})
    export.refresh_from_db()
    assert export.status == "ready" and export.approved_by.username == "coordinator.hanoi"


def test_the_page_needs_import_export(as_user):
    assert as_user("caseworker.hanoi").get("/exchange/exports/").status_code == 403


def test_the_case_page_lists_the_export_that_sent_it(as_user, partner_cases):  # noqa: F811
    client = as_user("supervisor.hanoi")
    iom = Agency.objects.get(name=IOM)
    client.post(
        "/exchange/exports/",
        {"audience": "partner", "recipient": iom.pk, "purpose": "Hỗ trợ tái hòa nhập", "file_format": "csv"},
    )
    export = Export.objects.get()
    b"".join(client.post(f"/exchange/exports/{export.pk}/download/").streaming_content)
    sent = client.get(f"/cases/{partner_cases['A'].pk}/consent/").content.decode()
    history = sent[sent.index('id="disclosures-heading"') :]
    assert IOM in history and "Consent given 03/04/2026" in history
    left_out = client.get(f"/cases/{partner_cases['C'].pk}/consent/").content.decode()
    assert "Nothing about this person has been shared." in left_out
