"""Case pages: intake through the form, transitions through their forms, masking, scope, errors
named on their fields, stale versions, the worklist's order and its query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import selectors, services, timelimits
from haidang.cases.models import Case, CaseStatus
from haidang.places.models import AdministrativeUnit, UnitLevel

pytestmark = pytest.mark.django_db

S = CaseStatus
NAME = "Nguyễn Thị Hoà (minh họa)"
OFFICER_AGENCY = "Ủy ban nhân dân Xã Thạch Thất"


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


def day(value):
    return value.strftime("%d/%m/%Y")


@pytest.fixture
def intake_data(demo_users):
    """What the commune officer types into the intake form."""
    received = timezone.localdate() - timedelta(days=2)
    return {
        "full_name": NAME,
        "other_names": "Hoa",
        "sex": "female",
        "birth_date": "",
        "birth_year": "2004",
        "ethnicity": "Kinh",
        "nationality_class": "vn_citizen",
        "nationality_country": "",
        "document_type": "citizen_id",
        "document_number": "0010 0400 1234",
        "residence_unit": commune("Xã Thạch Thất").code,
        "address": "Thôn 3 (minh họa)",
        "contacts": "0900 000 000 (minh họa)",
        "languages": "Vietnamese",
        "intake_channel": "self_report",
        "reception_date": day(received),
        "agency": str(Agency.objects.get(name=OFFICER_AGENCY).pk),
        "unit": commune("Xã Thạch Thất").code,
        "found_abroad": "on",
        "found_country": "khm",
        "exploitation_forms": ["forced_crime", "forced_labour"],
        "destination_country": "KHM",
        "route": "vn_kh",
        "recruitment_method": "online_job_offer",
        "criminal_proceeding_number": "",
    }


@pytest.fixture
def new_case(demo_users):
    """A case recorded through the service (for tests about other pages)."""

    def _new(received=None):
        return services.create_case(
            actor=demo_users["commune.hanoi.a"],
            person_data={"full_name": NAME, "sex": "female", "birth_year": 2004, "document_number": "0010 0400 1234"},
            case_data={
                "intake_channel": "self_report",
                "reception_date": received or timezone.localdate() - timedelta(days=1),
                "unit": commune("Xã Thạch Thất"),
                "agency": Agency.objects.get(name=OFFICER_AGENCY),
                "exploitation_forms": ["forced_crime"],
            },
        )

    return _new


def step_data(case, target, note="", **fields):
    """The POST of one step's form: plain version and target, the other fields with the step's prefix."""
    data = {"version": str(case.version), "target": target, f"step-{target}-note": note}
    for name, value in fields.items():
        data[f"step-{target}-{name}"] = value
    return data


def post_step(client, case, target, **kwargs):
    return client.post(reverse("cases:transition", args=[case.pk]), step_data(case, target, **kwargs))


def identification(**overrides):
    today = day(timezone.localdate())
    values = {
        "decision_date": today,
        "evidence_sources": ["b", "e"],
        "document_type": "police_certificate",
        "document_issuer": "Công an Thành phố Hà Nội",
        "document_number": "12/XN-CAHN",
        "document_date": today,
    }
    values.update(overrides)
    return values


def step_form(response, target):
    for item in response.context["steps"]:
        if item["step"].target == target:
            return item["form"]
    raise AssertionError(f"no form for {target}")


# --- Intake -------------------------------------------------------------------------------------


def test_intake_form_defaults_to_the_officers_agency_and_unit(as_user):
    client = as_user("commune.hanoi.a")
    response = client.get(reverse("cases:intake"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["unit"].value() == commune("Xã Thạch Thất")
    # Shown by name with its parent, the code kept beside it for the server: no code to type.
    assert 'value="Xã Thạch Thất — Thành phố Hà Nội"' in response.content.decode()
    assert str(form["agency"].value()) == str(Agency.objects.get(name=OFFICER_AGENCY).pk)
    assert form["reception_date"].value() == timezone.localdate()
    assert day(timezone.localdate()) in response.content.decode()


def test_an_intake_with_places_typed_by_name_and_no_code(as_user, intake_data):
    client = as_user("commune.hanoi.a")
    typed = {**intake_data, "unit": "thach that", "residence_unit": "Tây Phương", "reception_date": "01.03.2026"}
    response = client.post(reverse("cases:intake"), typed)
    assert response.status_code == 302, response.context["form"].errors
    case = Case.objects.get()
    assert (case.unit.name, case.person.residence_unit.name) == ("Xã Thạch Thất", "Xã Tây Phương")


def test_an_intake_with_an_unsure_place_offers_a_choice_and_keeps_the_rest(as_user, intake_data):
    client = as_user("commune.hanoi.a")
    response = client.post(reverse("cases:intake"), {**intake_data, "residence_unit": "Tân Lập"})
    assert response.status_code == 200 and not Case.objects.exists()
    html = response.content.decode()
    assert "Several units match “Tân Lập”" in html and 'name="residence_unit__choice"' in html
    assert "code" not in response.context["form"].errors["residence_unit"][0]
    chosen = client.post(
        reverse("cases:intake"), {**intake_data, "residence_unit": "Tân Lập", "residence_unit__choice": "19462"}
    )
    assert chosen.status_code == 302
    assert Case.objects.get().person.residence_unit.parent.name == "Tỉnh Quảng Trị"


def test_commune_officer_records_an_intake_and_lands_on_the_case(as_user, intake_data):
    client = as_user("commune.hanoi.a")
    response = client.post(reverse("cases:intake"), intake_data)
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.status == S.REPORTED and case.found_country == "KHM"
    assert case.exploitation_forms == ["forced_crime", "forced_labour"]
    assert case.person.full_name == NAME and case.person.residence_unit == commune("Xã Thạch Thất")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert case.number in html and NAME in html and "0010 0400 1234" in html
    assert "Cambodia (KHM)" in html and "Forced labour" in html
    assert "Receive the person" in html  # the next step's form
    assert AuditEntry.objects.filter(action="cases.case_viewed", object_id=str(case.pk)).exists()


def test_the_intake_is_only_for_roles_that_record_cases(as_user):
    client = as_user("coordinator.hanoi")
    assert client.get(reverse("cases:intake")).status_code == 403
    assert "Record a new intake" not in client.get(reverse("cases:worklist")).content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"unit": "99999"}, "unit", "There is no administrative unit with code 99999."),
        ({"reception_date": "31/11/2023"}, "reception_date", "is not a real date"),
        ({"birth_date": "31/02/2004"}, "birth_date", "is not a real date"),
        ({"reception_date": "future"}, "reception_date", "is in the future"),
        ({"residence_unit": "00000"}, "residence_unit", "There is no administrative unit with code 00000."),
        ({"found_country": "XYZ"}, "found_country", "is not a country"),
        ({"found_country": "Xứ Sở Thần Tiên"}, "found_country", "is not a country"),
        ({"ethnicity": "Martian"}, "ethnicity", "Select a valid choice"),
        ({"found_country": ""}, "found_country", "Give the country where the person was found."),
        ({"full_name": "   "}, "full_name", "full name"),
        ({"intake_channel": ""}, "intake_channel", "This field is required."),
        ({"unit": "sibling"}, "unit", "outside your area"),
    ],
)
def test_bad_intake_input_names_the_field(as_user, intake_data, changes, field, message):
    changes = dict(changes)
    if changes.get("reception_date") == "future":
        changes["reception_date"] = day(timezone.localdate() + timedelta(days=3))
    if changes.get("unit") == "sibling":
        changes["unit"] = commune("Xã Tây Phương").code
    client = as_user("commune.hanoi.a")
    response = client.post(reverse("cases:intake"), {**intake_data, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    html = response.content.decode()
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert not Case.objects.exists()


def test_a_unit_of_the_old_map_is_refused_for_a_recent_reception_date(as_user, intake_data):
    # The old Thạch Thất district ended on 30/06/2025; its code names no unit of today's map.
    old = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, name="Huyện Thạch Thất")
    client = as_user("commune.hanoi.a")
    response = client.post(reverse("cases:intake"), {**intake_data, "unit": old.code})
    errors = response.context["form"].errors
    assert "unit" in errors and "not valid on" in errors["unit"][0]


# --- The case page and its steps ----------------------------------------------------------------


def test_the_case_worker_moves_the_case_through_verification_and_identification(as_user, new_case):
    case = new_case()
    officer = as_user("commune.hanoi.a")
    assert post_step(officer, case, S.RECEIVED).status_code == 302
    case.refresh_from_db()

    worker = as_user("caseworker.hanoi")
    page = worker.get(reverse("cases:detail", args=[case.pk]))
    assert "Notify the Department of Health and start initial verification" in page.content.decode()
    assert post_step(worker, case, S.INITIAL_VERIFICATION).status_code == 302
    case.refresh_from_db()
    assert case.status == S.INITIAL_VERIFICATION and case.notified_at is not None

    page = worker.get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    due = timelimits.initial_verification_due(timezone.localtime(case.notified_at).date())
    assert "Initial verification within 3 days" in html and day(due) in html
    # The decisions are the supervisor's: the case worker is offered only to continue verification.
    assert {item["step"].target for item in page.context["steps"]} == {S.FURTHER_VERIFICATION}
    supervisor = as_user("supervisor.hanoi")
    offered = supervisor.get(reverse("cases:detail", args=[case.pk])).context["steps"]
    assert {item["step"].target for item in offered} == {S.IDENTIFIED, S.FURTHER_VERIFICATION, S.NOT_VICTIM}

    response = post_step(worker, case, S.FURTHER_VERIFICATION, note="Chưa có tài liệu theo Điều 33")
    assert response.status_code == 302
    case.refresh_from_db()
    response = post_step(supervisor, case, S.IDENTIFIED, note="Đủ căn cứ", **identification())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.IDENTIFIED

    page = worker.get(reverse("cases:detail", args=[case.pk]))
    html = page.content.decode()
    assert "Identified as a victim" in html
    timeline = page.context["timeline"]
    assert [row["to"] for row in timeline] == [
        "Reported",
        "Received",
        "Initial verification",
        "Further verification",
        "Identified as a victim",
    ]
    assert timeline[-1]["who"] == "Trần Quốc Bảo (minh họa)"
    assert timeline[-1]["from"] == "Further verification" and timeline[-1]["note"] == "Đủ căn cứ"
    data = dict(timeline[-1]["data"])
    assert data["Document number"] == "12/XN-CAHN"
    assert data["Decision date"] == day(timezone.localdate())
    assert "Information from the rescuing body" in data["Evidence relied on (Art. 32)"]
    assert day(timeline[-1]["when"]) in html and not timeline[-1]["recorded_late"]
    # Closing needs its reasons; then the case can be closed through its form.
    response = post_step(worker, case, S.CLOSED)
    assert "closure_reasons" in step_form(response, S.CLOSED).errors
    response = post_step(worker, case, S.CLOSED, closure_reasons=["identification_recorded", "person_declined"])
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED


def test_missing_identification_fields_are_named(as_user, new_case):
    case = new_case()
    for target in (S.RECEIVED, S.INITIAL_VERIFICATION):
        post_step(as_user("caseworker.hanoi"), case, target)
        case.refresh_from_db()
    worker = as_user("supervisor.hanoi")
    response = post_step(worker, case, S.IDENTIFIED, decision_date=day(timezone.localdate()))
    assert response.status_code == 400
    form = step_form(response, S.IDENTIFIED)
    assert {"evidence_sources", "document_type", "document_issuer", "document_number", "document_date"} <= set(
        form.errors
    )
    assert "decision_date" not in form.errors
    html = response.content.decode()
    assert 'href="#id_step-identified-document_number"' in html
    assert 'id="step-identified" open' in html  # the form with the errors is open
    # A date that cannot exist and a date in the future are named too.
    response = post_step(
        worker,
        case,
        S.IDENTIFIED,
        **identification(decision_date="31/11/2023", document_date=day(timezone.localdate() + timedelta(days=5))),
    )
    form = step_form(response, S.IDENTIFIED)
    assert "decision_date" in form.errors and "is not a real date" in form.errors["decision_date"][0]
    response = post_step(
        worker, case, S.IDENTIFIED, **identification(document_date=day(timezone.localdate() + timedelta(days=5)))
    )
    form = step_form(response, S.IDENTIFIED)
    assert "document_date" in form.errors and "is in the future" in form.errors["document_date"][0]
    case.refresh_from_db()
    assert case.status == S.INITIAL_VERIFICATION


def test_a_decision_that_needs_a_reason_asks_for_it(as_user, new_case):
    case = new_case()
    for target in (S.RECEIVED, S.INITIAL_VERIFICATION):
        post_step(as_user("caseworker.hanoi"), case, target)
        case.refresh_from_db()
    worker = as_user("supervisor.hanoi")
    response = post_step(worker, case, S.NOT_VICTIM)
    assert step_form(response, S.NOT_VICTIM).errors["note"] == ["Give the reason."]


def test_a_refused_step_shows_the_message_not_an_error_page(as_user, new_case):
    case = new_case()
    worker = as_user("caseworker.hanoi")
    response = post_step(worker, case, S.CLOSED, closure_reasons=["contact_lost"])
    assert response.status_code == 400
    html = response.content.decode()
    assert "This step was not taken" in html and "cannot move to" in html
    # A step not offered from this status is refused for that reason, whatever its fields hold.
    response = post_step(worker, case, S.IDENTIFIED, **identification(document_number=""))
    assert response.status_code == 400
    assert "cannot move to" in " ".join(response.context["refusal"])
    assert ("Issued by", "Công an Thành phố Hà Nội") in response.context["kept"]
    response = post_step(worker, case, "nowhere")
    assert response.status_code == 400 and "cannot move to" in response.content.decode()
    response = worker.post(reverse("cases:transition", args=[case.pk]), {"target": S.RECEIVED})
    assert response.status_code == 400 and "reload the case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.REPORTED and case.version == 1


def test_a_stale_version_keeps_the_input_and_says_so(as_user, demo_users, new_case):
    case = new_case()
    for target in (S.RECEIVED, S.INITIAL_VERIFICATION):
        assert post_step(as_user("caseworker.hanoi"), case, target).status_code == 302
        case.refresh_from_db()
    worker = as_user("supervisor.hanoi")
    seen = case.version
    # Someone else takes a step while the worker is typing.
    services.transition_case(actor=demo_users["police.hanoi"], case=case, target=S.FURTHER_VERIFICATION, version=seen)
    case.version = seen  # the version the worker's page was showing
    response = post_step(worker, case, S.IDENTIFIED, note="Ghi chú của tôi", **identification())
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this case" in html and "Reload the case" in html
    assert "Ghi chú của tôi" in html and "12/XN-CAHN" in html  # nothing typed is lost
    kept = step_form(response, S.IDENTIFIED)
    assert kept["version"].value() == str(seen + 1)  # now the version shown on the page
    case.refresh_from_db()
    assert case.status == S.FURTHER_VERIFICATION
    # Submitting again, having seen the change, works.
    response = worker.post(reverse("cases:transition", args=[case.pk]), kept.data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.IDENTIFIED


def test_a_stale_step_that_is_no_longer_offered_is_kept_without_a_button(as_user, demo_users, new_case):
    case = new_case()
    worker = as_user("caseworker.hanoi")
    response = post_step(worker, case, S.RECEIVED, note="Tiếp nhận tại xã")
    assert response.status_code == 302
    case.version = 1
    response = post_step(worker, case, S.RECEIVED, note="Tiếp nhận lần hai")
    assert response.status_code == 409
    assert ("Note", "Tiếp nhận lần hai") in response.context["kept"]
    assert "Tiếp nhận lần hai" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.RECEIVED


def test_the_coordinator_sees_the_case_with_identity_masked(as_user, new_case):
    case = new_case()
    client = as_user("coordinator.hanoi")
    response = client.get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert NAME not in html and "0010 0400 1234" not in html
    assert selectors.MASK in html and "Identifying details are hidden" in html
    assert "2004" in html  # the year of birth is not identifying
    assert response.context["steps"] == [] and "You can read this case but not change it." in html
    assert post_step(client, case, S.RECEIVED).status_code == 403
    reads = AuditEntry.objects.filter(action="cases.case_viewed", actor_username="coordinator.hanoi")
    assert reads.exists() and all(entry.changes["identities_shown"] is False for entry in reads)


@pytest.mark.parametrize("outsider", ["commune.hanoi.b", "caseworker.haiphong"])
def test_a_case_outside_scope_is_not_found(as_user, new_case, outsider):
    case = new_case()
    client = as_user(outsider)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert post_step(client, case, S.RECEIVED).status_code == 404
    assert case.number not in client.get(reverse("cases:worklist")).content.decode()
    case.refresh_from_db()
    assert case.status == S.REPORTED


# --- Worklist -----------------------------------------------------------------------------------


def test_the_worklist_puts_overdue_first_and_marks_it(as_user, demo_users, new_case):
    worker = demo_users["caseworker.hanoi"]
    fresh = new_case(received=timezone.localdate())
    late = new_case(received=timezone.localdate() - timedelta(days=9))
    for target in (S.RECEIVED, S.INITIAL_VERIFICATION):
        late = services.transition_case(actor=worker, case=late, target=target, version=late.version)
    Case.objects.filter(pk=late.pk).update(notified_at=timezone.now() - timedelta(days=8))
    client = as_user("caseworker.hanoi")
    response = client.get(reverse("cases:worklist"))
    rows = response.context["work_rows"]
    assert [row["number"] for row in rows][:2] == [late.number, fresh.number]
    assert rows[0]["overdue"] and not rows[1]["overdue"]
    html = response.content.decode()
    work = html[html.index('id="work-heading"') : html.index('id="cases-heading"')]
    assert work.index(late.number) < work.index(fresh.number)
    assert "Overdue" in work and "1 step is overdue" in work
    notified = timezone.localtime(timezone.now() - timedelta(days=8)).date()
    assert day(timelimits.initial_verification_due(notified)) in work
    # The case page marks it too.
    page = client.get(reverse("cases:detail", args=[late.pk])).content.decode()
    assert "case-overdue" in page


def test_the_case_list_filters_by_status_and_number(as_user, demo_users, new_case):
    first, second = new_case(), new_case()
    services.transition_case(actor=demo_users["commune.hanoi.a"], case=second, target=S.RECEIVED, version=1)
    client = as_user("commune.hanoi.a")
    listed = client.get(reverse("cases:worklist"), {"status": S.RECEIVED}).context["case_rows"]
    assert [case["number"] for case in listed] == [second.number]
    listed = client.get(reverse("cases:worklist"), {"number": first.number[-6:]}).context["case_rows"]
    assert [case["number"] for case in listed] == [first.number]
    response = client.get(reverse("cases:worklist"), {"status": "nonsense"})
    assert response.status_code == 200 and len(response.context["case_rows"]) == 2


def test_worklist_queries_do_not_grow_with_rows(as_user, demo_users, new_case, django_assert_max_num_queries):
    client = as_user("caseworker.hanoi")
    new_case()
    client.get(reverse("cases:worklist"))  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("cases:worklist"))
    worker = demo_users["caseworker.hanoi"]
    for index in range(12):
        case = new_case()
        if index % 3 == 1:
            services.transition_case(actor=worker, case=case, target=S.RECEIVED, version=1)
        elif index % 3 == 2:
            case = services.transition_case(actor=worker, case=case, target=S.RECEIVED, version=1)
            services.transition_case(actor=worker, case=case, target=S.INITIAL_VERIFICATION, version=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("cases:worklist"))
    assert len(response.context["work_rows"]) == 13 and len(response.context["page"].object_list) == 13


def test_countries_and_ethnic_groups_are_chosen_by_name_and_stored_as_codes(as_user, intake_data):
    """'Campuchia' (with or without diacritics) is Cambodia; a code still works; a group by its name."""
    client = as_user("commune.hanoi.a")
    data = {**intake_data, "found_country": "campuchia", "destination_country": "Trung Quốc", "ethnicity": "H'Mông"}
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302
    case = Case.objects.select_related("person").get()
    assert (case.found_country, case.destination_country, case.person.ethnicity) == ("KHM", "CHN", "08")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Cambodia (KHM)" in page and "Mông" in page
    # The suggestions are names in the page's language, each with its code.
    assert '<option value="Cambodia">KHM</option>' in client.get(reverse("cases:intake")).content.decode()
