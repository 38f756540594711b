"""The activity register committed set-based (`Activities.bulk_create`) gives the records and audit entries
the one-by-one path (`prevention.services.create_activity` through `Activities.create`) gives."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.exchange.imports.registry import kind_for
from haidang.exchange.models import ImportLink, StagedRow
from haidang.exchange.services.imports import commit_import, run_dry_run, start_import
from haidang.exchange.tests.registers import ACTIVITIES, HN_COMMITTEE, HN_WOMEN, activity_row, xlsx
from haidang.prevention import services as prevention
from haidang.prevention.models import Activity

pytestmark = pytest.mark.django_db

FIELDS = [f.attname for f in Activity._meta.concrete_fields if f.attname not in ("id", "created_at", "updated_at")]


@pytest.fixture
def campaign(demo_users):
    agency = Agency.objects.get(name=HN_COMMITTEE)
    data = {"name": "Tháng hành động 2026", "start_date": date(2026, 7, 1), "end_date": date(2026, 7, 31)}
    return prevention.create_campaign(actor=demo_users["coordinator.hanoi"], data={**data, "issuing_agency": agency})


def rows(campaign):
    return [
        activity_row("BK-1"),
        activity_row(
            "BK-2",
            end_date="31/07/2026",
            campaign=campaign.name,
            co_organisers="",
            joint_topics="",
            material_poster="12",
            material_banner="0",
            cost="",
            notes="Ghi chú",
            place="Nhà văn hóa thôn 3",
        ),
        activity_row("BK-3", organiser=HN_WOMEN, co_organisers=HN_COMMITTEE, sessions="", participants=""),
        activity_row("BK-4", start_date="02/07/2026", funding_source="", target_groups="Phụ nữ"),
        # The same co-organiser twice: once, as create_activity keeps it.
        activity_row("BK-5", co_organisers=f"{HN_WOMEN}; {HN_WOMEN}"),
    ]


def _record(activity: Activity) -> dict:
    values = {name: getattr(activity, name) for name in FIELDS}
    values["co_organisers"] = sorted(str(a.pk) for a in activity.co_organisers.all())
    values["materials"] = sorted(activity.materials.values_list("kind", "produced", "distributed"))
    entry = AuditEntry.objects.get(object_type="prevention.activity", object_id=str(activity.pk))
    values["audit"] = (entry.action, entry.actor_id, entry.unit_id, entry.unit_code, entry.role, entry.changes)
    return values


def test_the_bulk_commit_writes_what_create_activity_writes(demo_users, campaign):
    user = demo_users["coordinator.hanoi"]
    content = xlsx(ACTIVITIES, rows(campaign))
    batch = start_import(actor=user, kind="activities", uploaded_file=SimpleUploadedFile("so.xlsx", content))
    run_dry_run(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "validated", batch.file_errors
    payloads = [row.payload for row in StagedRow.objects.filter(batch=batch).order_by("row_number")]
    commit_import(actor=user, batch=batch)
    links = dict(ImportLink.objects.filter(batch=batch).values_list("source_key", "target_id"))
    bulk = [_record(Activity.objects.get(pk=links[f"BK-{n}"])) for n in range(1, 6)]

    kind = kind_for("activities")
    ctx = kind.context(user, batch)
    refs = kind.prepare(payloads)
    one_by_one = [_record(kind.create(ctx, payload, refs)) for payload in payloads]
    assert bulk == one_by_one
    assert bulk[1]["campaign_id"] == campaign.pk and bulk[1]["end_date"] == date(2026, 7, 31)
    assert bulk[0]["co_organisers"] and not bulk[1]["co_organisers"] and bulk[1]["cost"] is None
