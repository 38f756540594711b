"""The case worker's path (issue 11): the "immediately" steps are overdue from the day after the
reception; a warning before an intake of a person who may already be recorded; the person search
page; consent → support → referral offered once the person is identified."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import selectors, services
from haidang.cases.models import Case, CaseStatus
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

S = CaseStatus
NAME = "Nguyễn Thị Hòa (minh họa)"
OFFICER_AGENCY = "Ủy ban nhân dân Xã Thạch Thất"


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


def today():
    return timezone.localdate()


@pytest.fixture
def new_case(demo_users):
    def _new(received=None, name=NAME, birth_year=2004):
        return services.create_case(
            actor=demo_users["commune.hanoi.a"],
            person_data={"full_name": name, "sex": "female", "birth_year": birth_year},
            case_data={
                "intake_channel": "self_report",
                "reception_date": received or today(),
                "unit": commune("Xã Thạch Thất"),
                "agency": Agency.objects.get(name=OFFICER_AGENCY),
                "exploitation_forms": ["forced_crime"],
            },
        )

    return _new


# --- "Immediately" is overdue the day after ------------------------------------------------------


def test_a_reception_not_taken_by_the_end_of_its_day_is_overdue_on_the_case_page_and_the_worklist(as_user, new_case):
    late = new_case(received=today() - timedelta(days=2))
    fresh = new_case(received=today())
    client = as_user("commune.hanoi.a")
    page = client.get(reverse("cases:detail", args=[late.pk]))
    limit = page.context["time_limits"][0]
    assert limit["overdue"] and limit["due"] == late.reception_date
    html = page.content.decode()
    limits = html[html.index('id="limits-heading"') : html.index('id="steps-heading"')]
    assert "Overdue" in limits and "immediately" in limits
    # Received today: due today, not yet overdue.
    limits = client.get(reverse("cases:detail", args=[fresh.pk])).context["time_limits"]
    assert not limits[0]["overdue"] and limits[0]["days_left"] == 0
    assert "Due today" in client.get(reverse("cases:detail", args=[fresh.pk])).content.decode()
    # The worklist marks it and puts it first.
    rows = {row["number"]: row for row in client.get(reverse("cases:worklist")).context["work_rows"]}
    assert rows[late.number]["overdue"] and not rows[fresh.number]["overdue"]


def test_the_notification_is_overdue_too_and_the_api_says_so(demo_users, api, new_case):
    received = services.transition_case(
        actor=demo_users["commune.hanoi.a"],
        case=new_case(received=today() - timedelta(days=1)),
        target=S.RECEIVED,
        version=1,
    )
    items = {item["number"]: item for item in api("commune.hanoi.a").get("/api/v1/cases/worklist").json()["items"]}
    assert items[received.number]["kind"] == "received" and items[received.number]["overdue"] is True
    # The same day it was still in time.
    on_the_day = selectors.worklist(demo_users["commune.hanoi.a"], today=received.reception_date)
    assert not next(item for item in on_the_day if item.case.pk == received.pk).overdue


# --- The warning before an intake -------------------------------------------------------------------


@pytest.fixture
def intake_data():
    return {
        "full_name": "hoa thi NGUYEN (minh hoa)",  # another spelling, another word order
        "sex": "female",
        "birth_year": "2004",
        "nationality_class": "vn_citizen",
        "intake_channel": "self_report",
        "reception_date": today().strftime("%d/%m/%Y"),
        "agency": str(Agency.objects.get(name=OFFICER_AGENCY).pk),
        "unit": "Thạch Thất",
        "exploitation_forms": ["forced_labour"],
    }


def test_a_possible_duplicate_is_shown_before_the_case_is_saved_and_recorded_once_confirmed(
    as_user, new_case, intake_data
):
    existing = new_case(received=today() - timedelta(days=30))
    client = as_user("commune.hanoi.a")
    before = Case.objects.count()
    warned = client.post(reverse("cases:intake"), intake_data)
    assert warned.status_code == 200 and Case.objects.count() == before
    html = warned.content.decode()
    assert "This person may already be recorded" in html
    assert existing.number in html and reverse("cases:detail", args=[existing.pk]) in html
    assert NAME in html  # the commune officer may see the identities of the commune's cases
    assert "same name (any spelling or word order)" in html and "same year of birth" in html
    # What was typed is kept.
    assert warned.context["form"]["full_name"].value() == intake_data["full_name"]
    entry = AuditEntry.objects.filter(action="cases.duplicate_warning", actor_username="commune.hanoi.a").last()
    assert entry.changes["results"] == 1 and entry.changes["identities_shown"] == 1
    assert entry.changes["cases"] == [str(existing.pk)] and "Hoà" not in str(entry.changes)
    # Recording again without saying "a different person" warns again.
    assert client.post(reverse("cases:intake"), intake_data).status_code == 200
    assert Case.objects.count() == before
    seen = [row["person_id"] for row in warned.context["matches"]]
    recorded = client.post(reverse("cases:intake"), {**intake_data, "decision": "different", "seen": seen})
    assert recorded.status_code == 302 and Case.objects.count() == before + 1
    assert Case.objects.exclude(pk=existing.pk).filter(person__name_key=existing.person.name_key).exists()


def test_a_confirmation_for_other_matches_does_not_record(as_user, new_case, intake_data):
    new_case()
    client = as_user("commune.hanoi.a")
    before = Case.objects.count()
    # A confirmation that names no match shown (the name was changed after the warning) warns again.
    response = client.post(reverse("cases:intake"), {**intake_data, "decision": "different", "seen": ["x"]})
    assert response.status_code == 200 and response.context["matches"]
    assert Case.objects.count() == before


def test_a_new_person_is_recorded_at_once_and_a_match_outside_scope_is_not_mentioned(as_user, new_case, intake_data):
    new_case()  # in Xã Thạch Thất, outside the other commune's scope
    client = as_user("commune.hanoi.b")
    data = {
        **intake_data,
        "agency": str(Agency.objects.get(name="Ủy ban nhân dân Xã Tây Phương").pk),
        "unit": "Tây Phương",
    }
    before = Case.objects.count()
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302 and Case.objects.count() == before + 1
    assert not AuditEntry.objects.filter(action="cases.duplicate_warning", actor_username="commune.hanoi.b").exists()


# --- The person search page ------------------------------------------------------------------------


def test_the_person_search_page_finds_any_spelling_and_shows_what_the_reader_may_see(as_user, new_case):
    case = new_case()
    url = reverse("cases:person_search")
    worker = as_user("caseworker.hanoi").get(url, {"q": "HOA NGUYEN THI (minh hoa)"})
    assert worker.status_code == 200
    html = worker.content.decode()
    assert NAME in html and case.number in html and "1 possible match" in html
    # The coordinator sees the case but not the identity: the name is masked.
    coordinator = as_user("coordinator.hanoi").get(url, {"q": "hoa nguyen thi minh hoa"})
    rows = coordinator.context["matches"]
    assert rows and rows[0]["name"] == selectors.MASK and NAME not in coordinator.content.decode()
    # Outside the scope: nothing, not even that a match exists.
    other = as_user("caseworker.haiphong").get(url, {"q": NAME})
    assert other.context["matches"] == [] and case.number not in other.content.decode()
    assert AuditEntry.objects.filter(action="cases.person_search", actor_username="coordinator.hanoi").exists()


def test_the_person_search_page_names_the_field_and_is_only_for_those_who_see_cases(as_user):
    empty = as_user("caseworker.hanoi").get(reverse("cases:person_search"), {"q": "  "})
    assert empty.status_code == 200 and "Give a name or a document number." in empty.content.decode()
    assert empty.context["matches"] is None
    assert as_user("prevention.haiphong").get(reverse("cases:person_search")).status_code == 403
    menu = as_user("caseworker.hanoi").get(reverse("cases:worklist")).content.decode()
    assert reverse("cases:person_search") in menu


# --- What next after identification -----------------------------------------------------------------


@pytest.fixture
def identified(demo_users, new_case):
    case = new_case(received=today() - timedelta(days=3))
    identification = {
        "decision_date": today() - timedelta(days=1),
        "evidence_sources": ["b"],
        "document_type": "police_certificate",
        "document_issuer": "Công an Thành phố Hà Nội",
        "document_number": "21/XN-CAHN",
        "document_date": today() - timedelta(days=1),
    }
    steps = (("received", None), ("initial_verification", None), ("identified", identification))
    return walk(case, demo_users["caseworker.hanoi"], steps)


def test_after_identification_the_case_page_offers_consent_then_support_then_referral(as_user, demo_users, identified):
    client = as_user("caseworker.hanoi")
    page = client.get(reverse("cases:detail", args=[identified.pk]))
    steps = page.context["what_next"]
    assert [step["name"] for step in steps] == ["consent", "support", "referrals"]
    assert [step["next"] for step in steps] == [True, False, False] and all(step["may"] for step in steps)
    html = page.content.decode()
    assert html.index('id="next-heading"') < html.index('id="steps-heading"')
    assert reverse("cases:consent", args=[identified.pk]) in html
    assert reverse("cases:referrals", args=[identified.pk]) in html
    services.record_consent(
        actor=demo_users["caseworker.hanoi"],
        case=identified,
        data={"given_by": "person", "purpose": "referral", "given_on": today(), "method": "written"},
    )
    steps = client.get(reverse("cases:detail", args=[identified.pk])).context["what_next"]
    assert [(step["done"], step["next"]) for step in steps] == [(True, False), (False, True), (False, False)]


def test_what_next_is_read_only_for_a_reader_and_absent_before_identification(as_user, identified, new_case):
    steps = as_user("coordinator.hanoi").get(reverse("cases:detail", args=[identified.pk])).context["what_next"]
    assert steps and not any(step["may"] for step in steps)
    waiting = new_case()
    assert as_user("caseworker.hanoi").get(reverse("cases:detail", args=[waiting.pk])).context["what_next"] == []
