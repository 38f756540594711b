"""The register's pages: what a police investigator does end to end, and what others cannot reach."""

from datetime import date

import pytest
from django.urls import reverse

from haidang.cases import services as case_services
from haidang.proceedings import services
from haidang.proceedings.models import CriminalCase, Suspect
from haidang.proceedings.tests.conftest import agency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_investigator_records_a_case_adds_a_suspect_and_links_a_victim(sign_in, people, units):
    client = sign_in(people["police.hanoi"])
    home = client.get(reverse("access:home"))
    assert reverse("proceedings:case_list") in home.content.decode()
    form = {
        "number": "7/VA",
        "article": "150",
        "detected_on": "31/11/2025",  # no such day
        "investigating_agency": agency("Công an Thành phố Hà Nội").pk,
        "unit": "01",
        "exploitation_forms": ["forced_crime"],
    }
    response = client.post(reverse("proceedings:case_new"), form)
    assert response.status_code == 200 and "is not a real date" in response.content.decode()
    assert not CriminalCase.objects.exists()
    form["detected_on"] = "30/11/2025"
    response = client.post(reverse("proceedings:case_new"), form)
    criminal_case = CriminalCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("proceedings:case_detail", args=[criminal_case.pk])

    response = client.post(
        reverse("proceedings:suspect_new", args=[criminal_case.pk]),
        {"full_name": "Đối tượng D", "sex": "male", "age_band": "unknown", "nationality": "VNM", "role": "recruiter"},
    )
    assert response.status_code == 302
    victim = case_services.create_case(
        actor=people["caseworker.hanoi"],
        person_data={"full_name": "Nạn nhân Tổng hợp", "sex": "female", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2025, 11, 20),
            "unit": units["hanoi"],
            "agency": agency("Sở Y tế Thành phố Hà Nội"),
        },
    )
    client.post(reverse("proceedings:victim_link", args=[criminal_case.pk]), {"case_number": victim.number})
    page = client.get(reverse("proceedings:case_detail", args=[criminal_case.pk])).content.decode()
    assert "Đối tượng D" in page and victim.number in page and "30/11/2025" in page

    listed = client.get(reverse("proceedings:case_list"), {"article": "150"}).content.decode()
    assert "7/VA" in listed
    edit = client.post(
        reverse("proceedings:case_edit", args=[criminal_case.pk]),
        {**form, "detected_on": "30/11/2025", "prosecution_opened_on": "05/12/2025", "version": 1},
    )
    assert edit.status_code == 302
    stale = client.post(
        reverse("proceedings:case_edit", args=[criminal_case.pk]),
        {**form, "detected_on": "30/11/2025", "article": "151", "version": 1},
    )
    assert "Someone saved this criminal case" in stale.content.decode()
    assert CriminalCase.objects.get().article == "150"


def test_suspect_removal_needs_a_reason(sign_in, people, make_case):
    criminal_case = make_case()
    suspect = services.add_suspect(
        actor=people["police.hanoi"], criminal_case=criminal_case, data={"full_name": "Đối tượng E", "role": "other"}
    )
    client = sign_in(people["police.hanoi"])
    url = reverse("proceedings:suspect_remove", args=[criminal_case.pk, suspect.pk])
    client.post(url, {"reason": ""})
    assert Suspect.objects.exists()
    client.post(url, {"reason": "Nhập nhầm"})
    assert not Suspect.objects.exists()


def test_other_roles_and_other_provinces_cannot_reach_the_register(sign_in, people, make_case):
    criminal_case = make_case()
    detail = reverse("proceedings:case_detail", args=[criminal_case.pk])
    for username in ("analyst", "coordinator.hanoi"):
        client = sign_in(people[username])
        assert client.get(reverse("proceedings:case_list")).status_code == 403
        assert client.get(detail).status_code == 403
        assert reverse("proceedings:case_list") not in client.get(reverse("access:home")).content.decode()
    client = sign_in(people["police.haiphong.test"])
    assert client.get(detail).status_code == 404
    assert "12/VA" not in client.get(reverse("proceedings:case_list")).content.decode()


def test_a_victim_the_reader_may_not_see_is_only_counted(sign_in, people, make_case, units):
    criminal_case = make_case(unit=units["thach_that"], investigating_agency=agency("Công an Xã Thạch Thất"))
    victim = case_services.create_case(
        actor=people["caseworker.hanoi"],
        person_data={"full_name": "Nạn nhân Tổng hợp", "sex": "female", "birth_year": 2001},
        case_data={
            "intake_channel": "rescue",
            "reception_date": date(2026, 3, 1),
            "unit": units["hanoi"],
            "agency": agency("Sở Y tế Thành phố Hà Nội"),
        },
    )
    services.link_victim(actor=people["police.hanoi"], criminal_case=criminal_case, case=victim)
    page = sign_in(people["police.thachthat.test"]).get(reverse("proceedings:case_detail", args=[criminal_case.pk]))
    text = page.content.decode()
    assert victim.number not in text and "1 linked victim you may not see." in text


def test_a_suspect_changed_meanwhile_is_not_overwritten_and_what_was_typed_is_kept(sign_in, people, make_case):
    criminal_case = make_case()
    police = people["police.hanoi"]
    suspect = services.add_suspect(
        actor=police, criminal_case=criminal_case, data={"full_name": "Đối tượng G", "role": "broker"}
    )
    client = sign_in(police)
    url = reverse("proceedings:suspect_edit", args=[criminal_case.pk, suspect.pk])
    page = client.get(url)
    assert 'name="version" value="1"' in page.content.decode()
    services.update_suspect(actor=police, suspect=suspect, version=1, data={"role": "recruiter"})
    typed = {"full_name": "Đối tượng G", "sex": "male", "age_band": "unknown", "nationality": "VNM", "role": "broker"}
    response = client.post(url, {**typed, "version": 1})
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this suspect" in html
    assert 'name="version" value="2"' in html  # saving again is a choice made knowing the change
    assert Suspect.objects.get().role == "recruiter"
    again = client.post(url, {**typed, "version": 2})
    assert again.status_code == 302 and Suspect.objects.get().role == "broker"
