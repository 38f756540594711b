"""The prevention pages: who may open what, the quick and full forms, copying, editing with
optimistic locking, attachments, filters and totals, summaries, campaigns and models."""

import re
import struct
import zlib
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haidang.access.models import Agency
from haidang.places.models import AdministrativeUnit
from haidang.prevention import services
from haidang.prevention.models import Activity, Campaign, PreventionModel

pytestmark = pytest.mark.django_db

DAY = date(2026, 7, 30)
HANOI_A = "09955"  # Xã Thạch Thất (in 2024 the code of Thị trấn Liên Quan)
HANOI_B = "10006"  # Xã Tây Phương
HAIPHONG_A = "11311"  # Phường Hồng Bàng
OLD_IN_A = "09958"  # Xã Đại Đồng, a commune of the old Thạch Thất district (until 30/06/2025)
NEW_ONLY = "11948"  # Đặc khu Bạch Long Vĩ: a code of the 2025 map only

HN_WOMEN = "Hội Liên hiệp Phụ nữ Thành phố Hà Nội"
HN_YOUTH = "Thành đoàn Hà Nội"
HN_A_COMMITTEE = "Ủy ban nhân dân Xã Thạch Thất"
HP_WOMEN = "Hội Liên hiệp Phụ nữ Thành phố Hải Phòng"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def agency(name: str) -> Agency:
    return Agency.objects.get(name=name)


def unit(code: str, day: date = DAY) -> AdministrativeUnit:
    from haidang.places.selectors import resolve_unit

    return resolve_unit(code, day)


def make_activity(user, **overrides) -> Activity:
    day = overrides.pop("day", DAY)
    data = {
        "activity_type": "communication_session",
        "title": "Truyền thông phòng, chống mua bán người",
        "start_date": day,
        "end_date": day,
        "unit": unit(HANOI_A, day),
        "organiser": agency(HN_A_COMMITTEE),
        "target_groups": ["women"],
        "sessions": 1,
        "participants": 40,
        **overrides,
    }
    return services.create_activity(actor=user, data=data)


def quick_post(**overrides) -> dict:
    data = {
        "activity_type": "talk",
        "title": "Nói chuyện chuyên đề (kiểm thử)",
        "date": "30/07/2026",
        "unit": HANOI_A,
        "organiser": str(agency(HN_A_COMMITTEE).pk),
        "campaign": "",
        "target_groups": ["students", "youth"],
        "sessions": "2",
        "participants": "85",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def full_post(**overrides) -> dict:
    data = {
        "activity_type": "leaflet",
        "title": "Phát tờ rơi (kiểm thử)",
        "start_date": "28/07/2026",
        "end_date": "29/07/2026",
        "unit": HANOI_A,
        "place": "Chợ Thạch Thất",
        "organiser": str(agency(HN_A_COMMITTEE).pk),
        "co_organisers": [],
        "campaign": "",
        "joint_topics": ["drugs"],
        "target_groups": ["women"],
        "language": "Tiếng Việt",
        "sessions": "",
        "participants": "",
        "cost": "1.500.000",
        "funding_source": "local_budget",
        "notes": "Ghi chú",
        "material_leaflet_produced": "500",
        "material_leaflet_distributed": "480",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def form_errors(response) -> dict:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def png_bytes() -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- Who may open what ------------------------------------------------------------------------------


def test_every_page_renders_for_a_coordinator_without_inline_script_or_style(as_user, demo_users):
    activity = make_activity(demo_users["coordinator.hanoi"])
    campaign = services.create_campaign(
        actor=demo_users["coordinator.hanoi"],
        data={
            "name": "Tháng hành động (kiểm thử)",
            "start_date": date(2026, 7, 1),
            "end_date": date(2026, 7, 31),
            "issuing_agency": agency("Ủy ban nhân dân Thành phố Hà Nội"),
        },
    )
    client = as_user("coordinator.hanoi")
    paths = [
        "/prevention/",
        "/prevention/activities/quick/",
        "/prevention/activities/new/",
        f"/prevention/activities/new/?copy={activity.pk}",
        f"/prevention/activities/{activity.pk}/",
        f"/prevention/activities/{activity.pk}/edit/",
        "/prevention/summary/",
        "/prevention/summary/?group_by=agency",
        "/prevention/summary/?group_by=month",
        "/prevention/campaigns/",
        "/prevention/campaigns/new/",
        f"/prevention/campaigns/{campaign.pk}/",
        "/prevention/models/",
        "/prevention/models/new/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "style=" not in html, path
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), path
    assert 'href="/prevention/"' in client.get("/").content.decode()  # the menu item


def test_an_analyst_sees_the_summary_but_no_records_or_forms(as_user, demo_users):
    activity = make_activity(demo_users["coordinator.hanoi"])
    client = as_user("analyst")
    response = client.get("/prevention/summary/?group_by=unit&level=1")
    assert response.status_code == 200
    assert "Thành phố Hà Nội" in response.content.decode()
    for path in (
        "/prevention/",
        "/prevention/activities/quick/",
        "/prevention/activities/new/",
        f"/prevention/activities/{activity.pk}/",
        f"/prevention/activities/{activity.pk}/edit/",
        "/prevention/campaigns/",
        "/prevention/campaigns/new/",
        "/prevention/models/",
        "/prevention/models/new/",
    ):
        assert client.get(path).status_code == 403, path
    assert 'href="/prevention/summary/"' in client.get("/").content.decode()


def test_people_without_prevention_or_statistics_rights_get_403(as_user):
    client = as_user("auditor")
    assert client.get("/prevention/summary/").status_code == 403
    assert client.get("/prevention/").status_code == 403


def test_records_outside_ones_area_answer_404_like_missing_ones(as_user, demo_users, media):
    activity = make_activity(demo_users["commune.hanoi.a"])
    attachment = services.add_attachment(
        actor=demo_users["commune.hanoi.a"],
        activity=activity,
        uploaded_file=SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png"),
    )
    campaign = services.create_campaign(
        actor=demo_users["coordinator.hanoi"],
        data={
            "name": "Chiến dịch Hà Nội",
            "start_date": date(2026, 7, 1),
            "end_date": date(2026, 7, 31),
            "issuing_agency": agency("Ủy ban nhân dân Thành phố Hà Nội"),
        },
    )
    paths = [
        f"/prevention/activities/{activity.pk}/",
        f"/prevention/activities/{activity.pk}/edit/",
        f"/prevention/activities/new/?copy={activity.pk}",
        f"/prevention/activities/{activity.pk}/files/{attachment.pk}/",
    ]
    # The neighbouring commune and the other province see nothing of it.
    for username in ("commune.hanoi.b", "coordinator.haiphong"):
        client = as_user(username)
        for path in paths:
            assert client.get(path).status_code == 404, (username, path)
    assert as_user("coordinator.haiphong").get(f"/prevention/campaigns/{campaign.pk}/").status_code == 404
    # A missing id and a malformed copy id are 404s too, never 500s.
    client = as_user("coordinator.hanoi")
    assert client.get("/prevention/activities/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/prevention/activities/new/?copy=not-a-uuid").status_code == 404
    # The province sees its commune's activity.
    assert client.get(f"/prevention/activities/{activity.pk}/").status_code == 200


def test_lists_show_a_commune_its_own_and_a_province_its_communes(as_user, demo_users):
    own = make_activity(demo_users["commune.hanoi.a"], title="Của Xã Thạch Thất")
    make_activity(
        demo_users["coordinator.hanoi"],
        title="Của Xã Tây Phương",
        unit=unit(HANOI_B),
        organiser=agency("Ủy ban nhân dân Xã Tây Phương"),
    )
    html = as_user("commune.hanoi.a").get("/prevention/").content.decode()
    assert own.title in html and "Của Xã Tây Phương" not in html
    html = as_user("coordinator.hanoi").get("/prevention/").content.decode()
    assert own.title in html and "Của Xã Tây Phương" in html
    assert own.title not in as_user("coordinator.haiphong").get("/prevention/").content.decode()


# --- Quick entry --------------------------------------------------------------------------------------


def test_quick_form_defaults_to_the_users_unit_and_agency_and_saves_in_one_post(as_user, demo_users):
    client = as_user("prevention.haiphong")
    response = client.get("/prevention/activities/quick/")
    form = response.context["form"]
    women = agency(HP_WOMEN)
    assert form.initial["unit"].code == "31"
    assert form.initial["organiser"] == women.pk
    assert form.initial["date"] == timezone.localdate()
    html = response.content.decode()
    # The unit is shown by name with its parent, its code kept beside it for the server.
    assert 'name="unit" value="Thành phố Hải Phòng"' in html and 'name="unit__code" value="31"' in html
    assert f'<option value="{women.pk}" selected>' in html

    response = client.post(
        "/prevention/activities/quick/",
        {
            "activity_type": "communication_session",
            "title": "  Truyền thông cho hội viên  ",
            "date": "30/07/2026",
            "unit": "31",
            "organiser": str(women.pk),
            "campaign": "",
            "target_groups": ["women", "workers_abroad"],
            "sessions": "3",
            "participants": "150",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Truyền thông cho hội viên")
    assert response["Location"] == f"/prevention/activities/quick/?saved={activity.pk}"
    assert (activity.start_date, activity.end_date) == (DAY, DAY)
    assert activity.unit.code == "31" and activity.organiser == women
    assert activity.created_by == demo_users["prevention.haiphong"]
    assert activity.target_groups == ["women", "workers_abroad"]
    assert (activity.sessions, activity.participants) == (3, 150)

    # The next entry starts from the last one's day, place and organiser.
    response = client.get(response["Location"])
    assert response.context["last"] == activity
    assert response.context["form"].initial["date"] == DAY
    assert "Truyền thông cho hội viên" in response.content.decode()


def test_quick_form_defaults_to_the_campaign_running_today(as_user, demo_users):
    today = timezone.localdate()
    campaign = services.create_campaign(
        actor=demo_users["coordinator.haiphong"],
        data={
            "name": "Đợt cao điểm (kiểm thử)",
            "start_date": today - timedelta(days=3),
            "end_date": today + timedelta(days=3),
            "issuing_agency": agency("Ủy ban nhân dân Thành phố Hải Phòng"),
        },
    )
    response = as_user("prevention.haiphong").get("/prevention/activities/quick/")
    assert response.context["form"].initial["campaign"] == campaign.pk


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"sessions": "-3"}, "sessions", "negative"),
        ({"participants": "-1"}, "participants", "negative"),
        ({"sessions": "5", "participants": "3"}, "participants", "fewer than the 5 sessions"),
        ({"date": "31/11/2023"}, "date", "month 11 of 2023 has 30 days"),
        ({"date": "30/07/2031"}, "date", "too far in the future"),
        ({"date": "30/07/2024", "unit": NEW_ONLY}, "unit", "was not valid on 30/07/2024"),
        ({"unit": OLD_IN_A}, "unit", "Xã Thạch Thất"),
        ({"unit": "99999"}, "unit", "99999"),
        ({"unit": ""}, "unit", "Name the unit"),
        ({"title": "   "}, "title", "required"),
        ({"activity_type": "juggling"}, "activity_type", "valid choice"),
        ({"sessions": "many"}, "sessions", "whole number"),
        ({"target_groups": ["aliens"]}, "target_groups", "valid choice"),
        ({"campaign": "not-a-uuid"}, "campaign", "valid"),
        ({"organiser": "not-a-uuid"}, "organiser", "valid"),
    ],
)
def test_quick_form_refuses_bad_input_naming_the_field(as_user, overrides, field, fragment):
    client = as_user("commune.hanoi.a")
    response = client.post("/prevention/activities/quick/", quick_post(**overrides))
    assert response.status_code == 200
    errors = form_errors(response)
    assert field in errors, errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    html = response.content.decode()
    # The summary at the top names the field and links to it.
    label = str(response.context["form"].fields[field].label)
    assert f">{label}</a>:" in html
    assert not Activity.objects.exists()


def test_an_agency_outside_ones_area_cannot_be_named_organiser(as_user):
    client = as_user("commune.hanoi.a")
    response = client.post("/prevention/activities/quick/", quick_post(organiser=str(agency(HP_WOMEN).pk)))
    assert "organiser" in form_errors(response)
    response = client.post(
        "/prevention/activities/new/", full_post(co_organisers=[str(agency(HP_WOMEN).pk)], organiser="")
    )
    assert {"organiser", "co_organisers"} <= set(form_errors(response))
    assert not Activity.objects.exists()


# --- The full form, copying, editing ----------------------------------------------------------------


def test_full_form_records_everything_and_opens_the_activity(as_user, demo_users):
    client = as_user("coordinator.hanoi")
    response = client.post(
        "/prevention/activities/new/",
        full_post(
            organiser=str(agency(HN_WOMEN).pk),
            co_organisers=[str(agency(HN_YOUTH).pk)],
            participants="200",
            participants_female="120",
            participants_male="80",
            sessions="2",
            material_poster_produced="20",
        ),
    )
    assert response.status_code == 302, form_errors(response)
    activity = Activity.objects.get()
    assert response["Location"] == f"/prevention/activities/{activity.pk}/"
    assert (activity.start_date, activity.end_date) == (date(2026, 7, 28), date(2026, 7, 29))
    assert activity.cost == 1_500_000 and activity.funding_source == "local_budget"
    assert list(activity.co_organisers.all()) == [agency(HN_YOUTH)]
    materials = {m.kind: (m.produced, m.distributed) for m in activity.materials.all()}
    assert materials == {"leaflet": (500, 480), "poster": (20, None)}
    html = client.get(response["Location"]).content.decode()
    assert "Thành đoàn Hà Nội" in html and "Chợ Thạch Thất" in html and "Leaflets and flyers" in html


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"end_date": "27/07/2026"}, "end_date", "before the start date"),
        ({"start_date": "01/01/2030", "end_date": ""}, "start_date", "too far in the future"),
        ({"end_date": "31/11/2026"}, "end_date", "is not a real date"),
        ({"material_leaflet_distributed": "-4"}, "material_leaflet_distributed", "negative"),
        ({"broadcast_minutes": "-10"}, "broadcast_minutes", "negative"),
        ({"cost": "-5"}, "cost", "negative"),
        ({"cost": "a lot"}, "cost", "amount"),
        ({"sessions": "4", "participants": "2"}, "participants", "fewer"),
        ({"start_date": "15/03/2024", "end_date": "", "unit": NEW_ONLY}, "unit", "not valid on 15/03/2024"),
        ({"funding_source": "lottery"}, "funding_source", "valid choice"),
        ({"joint_topics": ["gambling"]}, "joint_topics", "valid choice"),
        ({"co_organisers": ["not-a-uuid"]}, "co_organisers", "valid"),
    ],
)
def test_full_form_refuses_bad_input_naming_the_field(as_user, overrides, field, fragment):
    response = as_user("commune.hanoi.a").post("/prevention/activities/new/", full_post(**overrides))
    assert response.status_code == 200
    errors = form_errors(response)
    assert field in errors, errors
    assert fragment.lower() in " ".join(errors[field]).lower()
    assert not Activity.objects.exists()


def test_a_2024_activity_names_the_old_commune_and_counts_in_todays(as_user, demo_users):
    client = as_user("commune.hanoi.a")
    response = client.post(
        "/prevention/activities/new/", full_post(start_date="15/03/2024", end_date="", unit=OLD_IN_A)
    )
    assert response.status_code == 302, form_errors(response)
    activity = Activity.objects.get()
    assert activity.unit.name == "Xã Đại Đồng" and activity.unit.valid_to is not None
    html = client.get(f"/prevention/activities/{activity.pk}/").content.decode()
    assert "now Xã Thạch Thất" in html


def test_copy_prefills_the_full_form_from_an_earlier_activity(as_user, demo_users):
    source = make_activity(
        demo_users["coordinator.hanoi"],
        title="Buổi truyền thông mẫu",
        organiser=agency(HN_WOMEN),
        co_organisers=[agency(HN_YOUTH)],
        target_groups=["students", "youth"],
        joint_topics=["drugs"],
        sessions=2,
        participants=90,
        materials=[{"kind": "leaflet", "produced": 300, "distributed": 250}],
    )
    response = as_user("coordinator.hanoi").get(f"/prevention/activities/new/?copy={source.pk}")
    initial = response.context["form"].initial
    assert initial["title"] == "Buổi truyền thông mẫu"
    assert initial["unit"].code == HANOI_A
    assert initial["organiser"] == agency(HN_WOMEN).pk
    assert initial["co_organisers"] == [agency(HN_YOUTH).pk]
    assert initial["target_groups"] == ["students", "youth"]
    assert (initial["material_leaflet_produced"], initial["material_leaflet_distributed"]) == (300, 250)
    html = response.content.decode()
    assert 'value="Buổi truyền thông mẫu"' in html and 'value="300"' in html
    assert "Copied from" in html


def test_edit_saves_with_the_version_read(as_user, demo_users):
    activity = make_activity(demo_users["commune.hanoi.a"])
    client = as_user("commune.hanoi.a")
    response = client.get(f"/prevention/activities/{activity.pk}/edit/")
    assert response.context["form"].initial["version"] == 1
    assert 'name="version" value="1"' in response.content.decode()
    response = client.post(
        f"/prevention/activities/{activity.pk}/edit/",
        full_post(version="1", title="Tiêu đề mới", start_date="30/07/2026", end_date=""),
    )
    assert response.status_code == 302, form_errors(response)
    activity.refresh_from_db()
    assert (activity.title, activity.version, activity.activity_type) == ("Tiêu đề mới", 2, "leaflet")


def test_edit_with_a_stale_version_keeps_the_input_and_says_so(as_user, demo_users):
    activity = make_activity(demo_users["commune.hanoi.a"])
    services.update_activity(
        actor=demo_users["coordinator.hanoi"], activity=activity, version=1, data={"title": "Sửa bởi tỉnh"}
    )
    response = as_user("commune.hanoi.a").post(
        f"/prevention/activities/{activity.pk}/edit/",
        full_post(version="1", title="Sửa của tôi", participants="77", sessions="1"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else changed this activity" in html
    assert 'value="Sửa của tôi"' in html and 'value="77"' in html
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Sửa bởi tỉnh", 2)


def test_only_the_organisers_people_or_the_coordinator_may_edit(as_user, demo_users):
    activity = make_activity(
        demo_users["coordinator.hanoi"], organiser=agency(HN_WOMEN), title="Hoạt động của Hội Phụ nữ"
    )
    # The commune sees an activity in its commune, but it is the Women's Union's to change.
    client = as_user("commune.hanoi.a")
    assert client.get(f"/prevention/activities/{activity.pk}/").status_code == 200
    assert client.get(f"/prevention/activities/{activity.pk}/edit/").status_code == 403
    assert client.post(f"/prevention/activities/{activity.pk}/", {}).status_code == 403


# --- Attachments ----------------------------------------------------------------------------------


def test_attachments_accept_real_images_and_pdfs_and_are_served_to_the_scope(as_user, demo_users, media):
    activity = make_activity(demo_users["commune.hanoi.a"])
    client = as_user("commune.hanoi.a")
    url = f"/prevention/activities/{activity.pk}/"
    for name, content in (("anh buoi truyen thong.png", png_bytes()), ("bien-ban.pdf", PDF)):
        response = client.post(url, {"file": SimpleUploadedFile(name, content)})
        assert response.status_code == 302, response.content.decode()
    attachments = list(activity.attachments.order_by("original_name"))
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("anh buoi truyen thong.png", "image/png"),
        ("bien-ban.pdf", "application/pdf"),
    ]
    html = client.get(url).content.decode()
    download = f"/prevention/activities/{activity.pk}/files/{attachments[1].pk}/"
    assert download in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    assert as_user("commune.hanoi.b").get(download).status_code == 404


def test_a_text_file_renamed_pdf_is_refused_on_the_file_field(as_user, demo_users, media):
    activity = make_activity(demo_users["commune.hanoi.a"])
    client = as_user("commune.hanoi.a")
    url = f"/prevention/activities/{activity.pk}/"
    response = client.post(url, {"file": SimpleUploadedFile("bao-cao.pdf", b"just some text, not a PDF\n")})
    assert response.status_code == 200
    assert "file" in response.context["upload_form"].errors
    assert ">Photo or document</a>:" in response.content.decode()
    response = client.post(url, {})
    assert "file" in response.context["upload_form"].errors
    assert not activity.attachments.exists()


# --- List, filters, totals ------------------------------------------------------------------------


def test_totals_count_a_joint_activity_once_and_credit_each_organiser(as_user, demo_users):
    coordinator = demo_users["coordinator.hanoi"]
    make_activity(
        coordinator,
        title="Hoạt động phối hợp",
        organiser=agency(HN_WOMEN),
        co_organisers=[agency(HN_YOUTH)],
        sessions=2,
        participants=100,
    )
    make_activity(coordinator, title="Hoạt động riêng", organiser=agency(HN_YOUTH), sessions=1, participants=30)
    client = as_user("coordinator.hanoi")
    totals = client.get("/prevention/").context["totals"]
    assert (totals["activities"], totals["sessions"], totals["participants"]) == (2, 3, 130)
    # Filtered by an agency, the joint activity counts for the co-organiser too, once.
    response = client.get("/prevention/", {"agency": str(agency(HN_YOUTH).pk)})
    assert (response.context["totals"]["activities"], response.context["totals"]["participants"]) == (2, 130)
    assert response.context["page"].paginator.count == 2
    response = client.get("/prevention/", {"agency": str(agency(HN_WOMEN).pk)})
    assert (response.context["totals"]["activities"], response.context["totals"]["participants"]) == (1, 100)
    # By agency each organiser is credited; the total row still counts the joint activity once.
    response = client.get("/prevention/summary/", {"group_by": "agency"})
    rows = {row["label"]: row for row in response.context["rows"]}
    assert (rows[HN_WOMEN]["participants"], rows[HN_YOUTH]["participants"]) == (100, 130)
    assert response.context["totals"]["participants"] == 130
    html = response.content.decode()
    assert re.search(r'data-key="total">.*?data-measure="participants">130<', html, re.S)


def test_list_filters_by_campaign_period_unit_type_and_target_group(as_user, demo_users):
    coordinator = demo_users["coordinator.hanoi"]
    campaign = services.create_campaign(
        actor=coordinator,
        data={
            "name": "Tháng hành động (kiểm thử)",
            "start_date": date(2026, 7, 1),
            "end_date": date(2026, 7, 31),
            "issuing_agency": agency("Ủy ban nhân dân Thành phố Hà Nội"),
        },
    )
    make_activity(coordinator, title="Trong chiến dịch", campaign=campaign, target_groups=["students"])
    make_activity(
        coordinator,
        title="Năm 2024 ở xã cũ",
        day=date(2024, 5, 10),
        unit=unit(OLD_IN_A, date(2024, 5, 10)),
        activity_type="loudspeaker",
    )
    make_activity(
        coordinator,
        title="Ở Xã Tây Phương",
        unit=unit(HANOI_B),
        organiser=agency("Ủy ban nhân dân Xã Tây Phương"),
    )
    client = as_user("coordinator.hanoi")

    def titles(**params):
        response = client.get("/prevention/", params)
        assert response.status_code == 200
        return sorted(activity.title for activity in response.context["page"])

    assert titles(campaign=str(campaign.pk)) == ["Trong chiến dịch"]
    assert titles(date_from="01/01/2024", date_to="31/12/2024") == ["Năm 2024 ở xã cũ"]
    # Today's commune includes the records of its old communes; by name as well as by code.
    assert titles(unit=HANOI_A) == ["Năm 2024 ở xã cũ", "Trong chiến dịch"]
    assert titles(unit="thach that") == ["Năm 2024 ở xã cũ", "Trong chiến dịch"]
    # The old commune, named on a day of the old map: its own 2024 activity only.
    old_name = unit(OLD_IN_A, date(2024, 5, 10)).name
    assert titles(unit=f"{old_name}, Thạch Thất", as_of="10/05/2024") == ["Năm 2024 ở xã cũ"]
    assert titles(activity_type="loudspeaker") == ["Năm 2024 ở xã cũ"]
    assert titles(target_group="students") == ["Trong chiến dịch"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "31/11/2023"},
        {"date_from": "01/08/2026", "date_to": "01/07/2026"},
        {"unit": "99999"},
        {"unit": "Tân Lập"},  # two communes of that name: a choice, and no rows until it is made
        {"as_of": "30/02/2024"},
        {"campaign": "not-a-uuid"},
        {"agency": "00000000-0000-0000-0000-000000000000"},
        {"activity_type": "juggling"},
        {"target_group": "aliens"},
    ],
)
def test_bad_filters_are_named_and_show_no_rows(as_user, demo_users, params):
    make_activity(demo_users["coordinator.hanoi"])
    response = as_user("coordinator.hanoi").get("/prevention/", params)
    assert response.status_code == 200
    assert set(params) & set(response.context["form"].errors)
    assert response.context["page"].paginator.count == 0
    assert as_user("coordinator.hanoi").get("/prevention/summary/", params).status_code == 200


def test_the_list_needs_the_same_number_of_queries_for_few_and_many_rows(
    as_user, demo_users, django_assert_max_num_queries
):
    coordinator = demo_users["coordinator.hanoi"]
    for index in range(3):
        make_activity(
            coordinator,
            title=f"Hoạt động {index}",
            organiser=agency(HN_WOMEN),
            co_organisers=[agency(HN_YOUTH)],
            materials=[{"kind": "leaflet", "produced": 10, "distributed": 10}],
        )
    client = as_user("coordinator.hanoi")
    client.get("/prevention/")  # warm the session and the scope
    with CaptureQueriesContext(connection) as few:
        assert client.get("/prevention/").status_code == 200
    for index in range(3, 40):
        make_activity(
            coordinator,
            title=f"Hoạt động {index}",
            organiser=agency(HN_WOMEN),
            co_organisers=[agency(HN_YOUTH)],
            day=DAY - timedelta(days=index % 20),
            materials=[{"kind": "leaflet", "produced": 10, "distributed": 10}],
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/prevention/")
    assert len(response.context["page"]) == 40


# --- Summaries ------------------------------------------------------------------------------------


def test_summary_by_commune_places_old_units_in_todays_commune(as_user, demo_users):
    coordinator = demo_users["coordinator.hanoi"]
    make_activity(coordinator, participants=40)
    make_activity(coordinator, day=date(2024, 5, 10), unit=unit(OLD_IN_A, date(2024, 5, 10)), participants=60)
    make_activity(coordinator, unit=unit(HANOI_B), organiser=agency("Ủy ban nhân dân Xã Tây Phương"), participants=25)
    response = as_user("coordinator.hanoi").get("/prevention/summary/", {"group_by": "unit", "level": "3"})
    rows = {row["key"]: row for row in response.context["rows"]}
    assert (rows[HANOI_A]["activities"], rows[HANOI_A]["participants"]) == (2, 100)
    assert rows[HANOI_A]["label"] == "Xã Thạch Thất"
    assert (rows[HANOI_B]["activities"], rows[HANOI_B]["participants"]) == (1, 25)
    html = response.content.decode()
    # Each row opens the list of its activities.
    assert f'href="/prevention/?unit={HANOI_A}' in html
    response = as_user("coordinator.hanoi").get("/prevention/summary/", {"group_by": "unit", "level": "1"})
    assert [(row["key"], row["activities"]) for row in response.context["rows"]] == [("01", 3)]
    response = as_user("coordinator.hanoi").get("/prevention/summary/", {"group_by": "year"})
    assert [(row["key"], row["activities"]) for row in response.context["rows"]] == [("2024", 1), ("2026", 2)]


def test_summary_figures_are_written_the_vietnamese_way(sign_in, client, demo_users):
    # A big meeting: 7,116 people (the seed article's city counted more than 10,000 in a month).
    make_activity(demo_users["coordinator.hanoi"], participants=7116)
    sign_in(demo_users["coordinator.hanoi"])  # in Vietnamese, the default
    html = client.get("/prevention/summary/", {"group_by": "unit", "level": "3"}).content.decode()
    assert 'data-measure="participants">7.116<' in html and "7116" not in html
    client.cookies["haidang_language"] = "en"
    html = client.get("/prevention/summary/", {"group_by": "unit", "level": "3"}).content.decode()
    assert 'data-measure="participants">7,116<' in html


def test_summary_starts_by_commune_for_a_province_and_by_province_for_the_nation(as_user, demo_users):
    make_activity(demo_users["coordinator.hanoi"])
    assert as_user("coordinator.hanoi").get("/prevention/summary/").context["level"] == 3
    response = as_user("analyst").get("/prevention/summary/")
    assert response.context["level"] == 1
    assert [row["key"] for row in response.context["rows"]] == ["01"]
    # The analyst gets no links into the records.
    assert 'href="/prevention/?' not in response.content.decode()


# --- Campaigns and models ---------------------------------------------------------------------------


def test_a_coordinator_creates_a_campaign_and_reads_its_summary(as_user, demo_users):
    client = as_user("coordinator.haiphong")
    committee = agency("Ủy ban nhân dân Thành phố Hải Phòng")
    response = client.get("/prevention/campaigns/new/")
    assert response.context["form"].initial["issuing_agency"] == committee.pk
    response = client.post(
        "/prevention/campaigns/new/",
        {
            "name": "Tháng hành động 2026 (kiểm thử)",
            "theme": "Hưởng ứng Ngày 30/7",
            "start_date": "01/07/2026",
            "end_date": "31/07/2026",
            "issuing_agency": str(committee.pk),
            "directive_number": "12/KH-UBND",
            "target_units": f"{HAIPHONG_A}, 31",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(name="Tháng hành động 2026 (kiểm thử)")
    assert sorted(u.code for u in campaign.target_units.all()) == sorted([HAIPHONG_A, "31"])
    services.create_activity(
        actor=demo_users["prevention.haiphong"],
        data={
            "activity_type": "talk",
            "title": "Nói chuyện ở Hồng Bàng",
            "start_date": DAY,
            "end_date": DAY,
            "unit": unit(HAIPHONG_A),
            "organiser": agency(HP_WOMEN),
            "co_organisers": [agency("Công an Thành phố Hải Phòng")],
            "campaign": campaign,
            "sessions": 1,
            "participants": 70,
        },
    )
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert [(row["key"], row["participants"]) for row in response.context["by_unit"]] == [(HAIPHONG_A, 70)]
    by_agency = {row["label"]: row["participants"] for row in response.context["by_agency"]}
    assert by_agency == {HP_WOMEN: 70, "Công an Thành phố Hải Phòng": 70}
    assert response.context["totals"]["participants"] == 70
    assert campaign.name in client.get("/prevention/campaigns/").content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": "30/06/2026"}, "end_date"),
        ({"start_date": "31/02/2026"}, "start_date"),
        ({"target_units": "99999"}, "target_units"),
        ({"name": ""}, "name"),
        ({"issuing_agency": "00000000-0000-0000-0000-000000000000"}, "issuing_agency"),
    ],
)
def test_campaign_form_names_the_bad_field(as_user, overrides, field):
    data = {
        "name": "Chiến dịch",
        "start_date": "01/07/2026",
        "end_date": "31/07/2026",
        "issuing_agency": str(agency("Ủy ban nhân dân Thành phố Hải Phòng").pk),
        **overrides,
    }
    response = as_user("coordinator.haiphong").post("/prevention/campaigns/new/", data)
    assert response.status_code == 200
    assert field in form_errors(response)
    assert not Campaign.objects.exists()


def test_prevention_models_are_recorded_and_listed(as_user):
    client = as_user("prevention.haiphong")
    data = {
        "name": "Câu lạc bộ phụ nữ phòng, chống mua bán người",
        "kind": "prevention",
        "unit": HAIPHONG_A,
        "agency": str(agency(HP_WOMEN).pk),
        "start_date": "01/03/2026",
        "beneficiaries": "35",
        "status": "active",
        "description": "",
    }
    response = client.post("/prevention/models/new/", {**data, "beneficiaries": "-2"})
    assert "beneficiaries" in form_errors(response)
    response = client.post("/prevention/models/new/", {**data, "start_date": "01/03/2024", "unit": NEW_ONLY})
    assert "unit" in form_errors(response)  # the special zone did not exist in 2024
    response = client.post("/prevention/models/new/", data)
    assert response.status_code == 302
    assert PreventionModel.objects.get().beneficiaries == 35
    assert data["name"] in client.get("/prevention/models/").content.decode()
    assert data["name"] not in as_user("coordinator.hanoi").get("/prevention/models/").content.decode()


def test_a_zip_bomb_named_xlsx_is_refused_on_the_file_field(as_user, demo_users, media):
    from haidang.common.tests.test_uploads import zip_bomb_bytes

    activity = make_activity(demo_users["commune.hanoi.a"])
    client = as_user("commune.hanoi.a")
    response = client.post(
        f"/prevention/activities/{activity.pk}/", {"file": SimpleUploadedFile("so-lieu.xlsx", zip_bomb_bytes())}
    )
    assert response.status_code == 200
    assert response.context["upload_form"].errors["file"] == [
        "The file unpacks to more than 200.0\xa0MB; it cannot be accepted."
    ]
    assert not activity.attachments.exists()
    assert not [path for path in media.rglob("*") if path.is_file()]
