"""The case's sub-pages: consent, support (eligibility, items, extensions), referrals, transfers and the
receiving unit's answer, follow-up visits, rate tables. For each form: it saves, a refusal is named on
its field, and only those who may change the case can write."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from haidang.access.models import Agency
from haidang.audit.models import AuditEntry
from haidang.cases import selectors, services, support
from haidang.cases.models import (
    Case,
    CaseStatus,
    Consent,
    Disclosure,
    FollowUpVisit,
    RateTable,
    Referral,
    SupportExtension,
    SupportItem,
    Transfer,
)
from haidang.cases.tests.steps import walk
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

S = CaseStatus
NAME = "Phạm Thị Thu (minh họa)"
REPRESENTATIVE = "Phạm Văn Hùng (minh họa)"
OFFICER_AGENCY = "Ủy ban nhân dân Xã Thạch Thất"
RECEIVING_AGENCY = "Ủy ban nhân dân Xã Tây Phương"
SHELTER = "Cơ sở trợ giúp nạn nhân Hà Nội (minh họa)"
JOBS = "Trung tâm Dịch vụ việc làm Hà Nội (minh họa)"
MEALS = "Tiền ăn (minh họa)"


def commune(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


def province(code):
    return AdministrativeUnit.objects.get(code=code, level=1, valid_to__isnull=True)


def agency(name):
    return Agency.objects.get(name=name)


def day(value):
    return value.strftime("%d/%m/%Y")


TODAY = timezone.localdate


@pytest.fixture
def make_case(demo_users):
    """A case received at the commune; `identified=True` takes it through identification."""

    def _make(*, identified=True, nationality_class="vn_citizen"):
        worker = demo_users["caseworker.hanoi"]
        case = services.create_case(
            actor=demo_users["commune.hanoi.a"],
            person_data={
                "full_name": NAME,
                "sex": "female",
                "birth_year": 2003,
                "nationality_class": nationality_class,
                "nationality_country": "LAO" if nationality_class == "foreign" else "",
            },
            case_data={
                "intake_channel": "rescue",
                "reception_date": TODAY() - timedelta(days=3),
                "unit": commune("Xã Thạch Thất"),
                "agency": agency(OFFICER_AGENCY),
            },
        )
        steps = [("received", None), ("initial_verification", None)]
        if identified:
            steps.append(
                (
                    "identified",
                    {
                        "decision_date": TODAY() - timedelta(days=1),
                        "evidence_sources": ["b"],
                        "document_type": "police_certificate",
                        "document_issuer": "Công an Thành phố Hà Nội",
                        "document_number": "21/XN-CAHN",
                        "document_date": TODAY() - timedelta(days=1),
                    },
                )
            )
        case = walk(case, worker, steps)
        return case

    return _make


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def meals(demo_users):
    return support.create_rate(
        actor=demo_users["coordinator.hanoi"],
        data={
            "province": province("01"),
            "regime": "ESS",
            "item": MEALS,
            "unit_label": "day",
            "amount": Decimal(50000),
            "max_units": 30,
            "valid_from": date(2025, 7, 1),
            "legal_basis": "Nghị quyết minh họa 01/2025/NQ-HĐND",
        },
    )


def give_consent(demo_users, case, purpose, recipient=None):
    return services.record_consent(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={
            "given_by": "person",
            "purpose": purpose,
            "recipient": recipient,
            "given_on": TODAY() - timedelta(days=1),
            "method": "written",
        },
    )


def url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.pk, *args])


def errors_of(response, key="form"):
    return response.context[key].errors


def named(response, field, message, key="form"):
    """The response is a refusal (400) and `message` is on `field` of the form under `key`."""
    assert response.status_code == 400, response.status_code
    errors = errors_of(response, key)
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]


# --- The case's pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["detail", "consent", "support", "referrals", "transfer", "visits"])
def test_every_page_of_the_case_links_to_the_others_and_is_audited(as_user, case, page):
    client = as_user("caseworker.hanoi")
    response = client.get(url(page, case))
    assert response.status_code == 200
    html = response.content.decode()
    for other in ("consent", "support", "referrals", "transfer", "visits"):
        assert f'href="{url(other, case)}"' in html
    assert 'aria-current="page"' in html
    assert AuditEntry.objects.filter(action="cases.case_viewed", object_id=str(case.pk)).exists()


@pytest.mark.parametrize("page", ["consent", "support", "referrals", "transfer", "visits"])
def test_a_reader_sees_the_pages_without_forms_and_cannot_write(as_user, case, page):
    client = as_user("coordinator.hanoi")
    response = client.get(url(page, case))
    assert response.status_code == 200
    assert "You can read this case but not change it." in response.content.decode()
    assert 'method="post" action="/cases/' not in response.content.decode()
    assert client.post(url(page, case), {}).status_code == 403


@pytest.mark.parametrize("page", ["consent", "support", "referrals", "transfer", "visits"])
@pytest.mark.parametrize("outsider", ["commune.hanoi.b", "caseworker.haiphong"])
def test_outside_the_scope_every_page_is_not_found(as_user, case, page, outsider):
    client = as_user(outsider)
    assert client.get(url(page, case)).status_code == 404
    assert client.post(url(page, case), {}).status_code == 404


# --- Consent ------------------------------------------------------------------------------------


def consent_data(**changes):
    data = {
        "given_by": "person",
        "representative_name": "",
        "purpose": "referral",
        "recipient": "",
        "given_on": day(TODAY()),
        "method": "written",
    }
    data.update(changes)
    return data


def test_the_case_worker_records_and_withdraws_a_consent(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("consent", case),
        consent_data(given_by="both", representative_name=REPRESENTATIVE, recipient=agency(JOBS).pk),
    )
    assert response.status_code == 302 and response["Location"] == url("consent", case)
    consent = Consent.objects.get(case=case)
    assert (consent.purpose, consent.recipient.name, consent.given_on) == ("referral", JOBS, TODAY())
    html = client.get(url("consent", case)).content.decode()
    assert "Consent recorded." in html and REPRESENTATIVE in html and "In force" in html

    response = client.post(url("consent_withdraw", case, consent.pk), {"withdrawn_on": day(TODAY())})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()
    html = client.get(url("consent", case)).content.decode()
    assert f"Withdrawn {day(TODAY())}" in html
    # Withdrawing twice is said, not an error page.
    response = client.post(url("consent_withdraw", case, consent.pk), {"withdrawn_on": day(TODAY())}, follow=True)
    assert "already been withdrawn" in response.content.decode()
    kinds = [row["kind"] for row in client.get(url("detail", case)).context["timeline"]]
    assert "Consent recorded" in kinds and "Consent withdrawn" in kinds


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_by": "representative"}, "representative_name", "Name the legal representative."),
        ({"purpose": ""}, "purpose", "This field is required."),
        ({"purpose": "advertising"}, "purpose", "Select a valid choice"),
        ({"method": "telepathy"}, "method", "Select a valid choice"),
        ({"given_on": "31/02/2026"}, "given_on", "is not a real date"),
        ({"given_on": "future"}, "given_on", "is in the future"),
        ({"recipient": "not-an-agency"}, "recipient", "Choose an agency from the list."),
    ],
)
def test_a_refused_consent_names_the_field(as_user, case, changes, field, message):
    if changes.get("given_on") == "future":
        changes = {"given_on": day(TODAY() + timedelta(days=2))}
    client = as_user("caseworker.hanoi")
    response = client.post(url("consent", case), consent_data(**changes))
    named(response, field, message)
    assert f'href="#id_{field}' in response.content.decode()
    assert not Consent.objects.exists()


def test_a_withdrawal_before_the_consent_was_given_is_refused_on_its_field(as_user, demo_users, case):
    consent = give_consent(demo_users, case, "referral")
    client = as_user("caseworker.hanoi")
    response = client.post(
        url("consent_withdraw", case, consent.pk), {"withdrawn_on": day(TODAY() - timedelta(days=9))}
    )
    assert response.status_code == 400
    row = next(row for row in response.context["rows"] if row["consent"].pk == consent.pk)
    assert "cannot be withdrawn before" in row["withdraw"].errors["withdrawn_on"][0]
    assert row["withdraw_open"]
    assert f'href="#id_withdraw-{consent.pk}_withdrawn_on"' in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_reader_sees_consents_without_the_representatives_name(as_user, demo_users, case):
    services.record_consent(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={
            "given_by": "both",
            "representative_name": REPRESENTATIVE,
            "purpose": "transfer",
            "given_on": TODAY(),
            "method": "written",
        },
    )
    client = as_user("coordinator.hanoi")
    html = client.get(url("consent", case)).content.decode()
    assert REPRESENTATIVE not in html and selectors.MASK in html
    consent = Consent.objects.get()
    assert client.post(url("consent_withdraw", case, consent.pk), {"withdrawn_on": day(TODAY())}).status_code == 403


# --- Support ------------------------------------------------------------------------------------


def item_data(case, **changes):
    data = {
        "beneficiary": str(case.person_id),
        "regime": "ESS",
        "item": MEALS,
        "provider": str(agency(SHELTER).pk),
        "start_date": day(TODAY()),
        "end_date": "",
        "quantity": "10",
        "decision_number": "",
    }
    data.update(changes)
    return data


def test_the_eligibility_table_gives_every_regime_with_its_article(as_user, case):
    client = as_user("caseworker.hanoi")
    response = client.get(url("support", case))
    tables = response.context["eligibility"]
    assert len(tables) == 1 and len(tables[0]["rows"]) == 11
    assert tables[0]["legal_regime"] == "Law 53/2024/QH15"
    assert all(row["article"] and row["reason"] for row in tables[0]["rows"])
    first = tables[0]["rows"][0]
    assert first["regime"] == "a) Essential needs" and first["outcome"] == "Granted"
    assert "Art. 37(1)(a)" in first["article"]
    html = response.content.decode()
    assert "Art. 37(1)(k) Law 53/2024/QH15" in html


def test_the_eligibility_table_is_in_vietnamese_regime_names_for_vietnamese_readers(as_user, case, client, settings):
    as_user("caseworker.hanoi")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    rows = client.get(url("support", case)).context["eligibility"][0]["rows"]
    assert rows[0]["regime"] == "a) Hỗ trợ nhu cầu thiết yếu"


def test_a_support_item_is_recorded_at_the_provinces_rate_with_totals(as_user, case, meals):
    client = as_user("caseworker.hanoi")
    response = client.post(url("support", case), item_data(case))
    assert response.status_code == 302
    response = client.post(url("support", case), item_data(case, quantity="5", end_date=day(TODAY())), follow=True)
    items = list(SupportItem.objects.filter(case=case).order_by("quantity"))
    assert [(i.quantity, i.unit_amount, i.total) for i in items] == [
        (5, Decimal(50000), Decimal(250000)),
        (10, Decimal(50000), Decimal(500000)),
    ]
    html = response.content.decode()
    assert "Support recorded: 5 × 50,000 = 250,000 VND." in html
    assert response.context["grand_total"] == "750,000"
    assert response.context["totals"] == [{"regime": "a) Essential needs", "total": "750,000"}]
    assert f'<option value="{MEALS}">' in html  # the item is suggested from the rate table


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"item": "Tiền xe (minh họa)"}, "item", "has no rate for"),
        ({"quantity": "31"}, "quantity", "would pass the limit of 30"),
        ({"quantity": "0"}, "quantity", "Enter one or more."),
        ({"quantity": "99999999999"}, "quantity", "Enter at most"),
        ({"quantity": "ten"}, "quantity", "Enter a whole number"),
        ({"start_date": "future"}, "start_date", "is in the future"),
        ({"start_date": "30/02/2026"}, "start_date", "is not a real date"),
        ({"end_date": "past"}, "end_date", "before the start date"),
        ({"regime": "XYZ"}, "regime", "Select a valid choice"),
        ({"beneficiary": "someone-else"}, "beneficiary", "Select a valid choice"),
        ({"provider": ""}, "provider", "This field is required."),
        ({"item": "  "}, "item", "This field is required."),
    ],
)
def test_a_refused_support_item_names_the_field(as_user, case, meals, changes, field, message):
    if changes.get("start_date") == "future":
        changes = {"start_date": day(TODAY() + timedelta(days=1))}
    if changes.get("end_date") == "past":
        changes = {"end_date": day(TODAY() - timedelta(days=1))}
    client = as_user("caseworker.hanoi")
    response = client.post(url("support", case), item_data(case, **changes))
    named(response, field, message, key="item_form")
    assert not SupportItem.objects.exists()


def test_a_regime_the_person_is_not_entitled_to_is_refused_with_its_article(as_user, demo_users, make_case):
    case = make_case(identified=False)  # still being identified: no vocational training yet
    support.create_rate(
        actor=demo_users["coordinator.hanoi"],
        data={
            "province": province("01"),
            "regime": "VOC",
            "item": "Học nghề (minh họa)",
            "unit_label": "month",
            "amount": Decimal(1500000),
            "valid_from": date(2025, 7, 1),
            "legal_basis": "Nghị quyết minh họa 02/2025/NQ-HĐND",
        },
    )
    client = as_user("caseworker.hanoi")
    response = client.post(url("support", case), item_data(case, regime="VOC", item="Học nghề (minh họa)"))
    named(response, "regime", "Not available", key="item_form")
    assert "Art. 37(3)" in errors_of(response, "item_form")["regime"][0]
    refused = {row["regime"]: row["outcome"] for row in response.context["eligibility"][0]["rows"]}
    assert refused["i) Vocational training, counselling and help finding work"] == "Not available"


def test_case_by_case_support_asks_for_the_decision_number(as_user, make_case, meals):
    case = make_case(nationality_class="foreign")
    client = as_user("caseworker.hanoi")
    response = client.post(url("support", case), item_data(case))
    named(response, "decision_number", "give the decision number", key="item_form")
    response = client.post(url("support", case), item_data(case, decision_number="30/QĐ-SYT"))
    assert response.status_code == 302
    assert SupportItem.objects.get().decision_number == "30/QĐ-SYT"


def extension_data(**changes):
    data = {
        "regime": "ESS",
        "extra_units": "10",
        "decision_number": "15/QĐ-SYT",
        "decided_on": day(TODAY()),
        "decided_by": str(Agency.objects.get(name="Sở Y tế Thành phố Hà Nội").pk),
    }
    data.update(changes)
    return data


def test_an_extension_decision_lets_support_pass_its_limit(as_user, case, meals):
    client = as_user("caseworker.hanoi")
    assert client.post(url("support", case), item_data(case, quantity="30")).status_code == 302
    named(client.post(url("support", case), item_data(case, quantity="5")), "quantity", "limit", key="item_form")
    response = client.post(url("support_extension", case), extension_data())
    assert response.status_code == 302
    assert SupportExtension.objects.get(case=case).extra_units == 10
    assert client.post(url("support", case), item_data(case, quantity="5")).status_code == 302
    html = client.get(url("support", case)).content.decode()
    assert "15/QĐ-SYT" in html and "a) Essential needs: +10" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"extra_units": "0"}, "extra_units", "Enter one or more."),
        ({"decision_number": ""}, "decision_number", "This field is required."),
        ({"decided_on": "future"}, "decided_on", "is in the future"),
        ({"regime": "NOPE"}, "regime", "Select a valid choice"),
    ],
)
def test_a_refused_extension_names_the_field(as_user, case, changes, field, message):
    if changes.get("decided_on") == "future":
        changes = {"decided_on": day(TODAY() + timedelta(days=1))}
    client = as_user("caseworker.hanoi")
    response = client.post(url("support_extension", case), extension_data(**changes))
    named(response, field, message, key="extension_form")
    assert f'href="#id_extension_{field}"' in response.content.decode()
    assert 'id="extension" open' in response.content.decode()
    assert not SupportExtension.objects.exists()


def test_a_reader_cannot_record_support_or_extensions(as_user, case, meals):
    client = as_user("coordinator.hanoi")
    assert client.post(url("support", case), item_data(case)).status_code == 403
    assert client.post(url("support_extension", case), extension_data()).status_code == 403
    assert not SupportItem.objects.exists() and not SupportExtension.objects.exists()


# --- Referrals ----------------------------------------------------------------------------------


def referral_data(**changes):
    data = {
        "provider": str(agency(JOBS).pk),
        "service_type": "employment",
        "reason": "Tìm việc làm sau khi trở về (minh họa)",
        "consent": "",
        "legal_basis": "",
        "follow_up_on": "",
    }
    data.update(changes)
    return data


def test_a_referral_needs_a_live_consent_or_a_legal_basis(as_user, demo_users, case):
    client = as_user("caseworker.hanoi")
    page = client.get(url("referrals", case)).content.decode()
    assert "No consent to referral is in force" in page
    response = client.post(url("referrals", case), referral_data())
    named(response, "consent", "Record the person's consent, or the legal basis")
    assert not Referral.objects.exists() and not Disclosure.objects.exists()

    given = give_consent(demo_users, case, "referral")
    other = give_consent(demo_users, case, "transfer")
    form = client.get(url("referrals", case)).context["form"]
    assert list(form.fields["consent"].queryset) == [given]  # only live consents for referral
    response = client.post(url("referrals", case), referral_data(consent=str(other.pk)))
    named(response, "consent", "Choose one of the consents listed")
    follow_up = TODAY() + timedelta(days=14)
    response = client.post(url("referrals", case), referral_data(consent=str(given.pk), follow_up_on=day(follow_up)))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.consent, referral.status, referral.follow_up_on) == (given, "sent", follow_up)
    assert Disclosure.objects.get(case=case, kind="referral").consent == given
    html = client.get(url("referrals", case)).content.decode()
    assert JOBS in html and "Employment service" in html and "Sent" in html


def test_a_withdrawn_consent_is_no_longer_offered_or_accepted(as_user, demo_users, case):
    given = give_consent(demo_users, case, "referral")
    services.withdraw_consent(actor=demo_users["caseworker.hanoi"], consent=given, withdrawn_on=TODAY())
    client = as_user("caseworker.hanoi")
    assert list(client.get(url("referrals", case)).context["form"].fields["consent"].queryset) == []
    response = client.post(url("referrals", case), referral_data(consent=str(given.pk)))
    named(response, "consent", "Choose one of the consents listed")


def test_a_consent_for_another_recipient_is_refused_on_the_consent_field(as_user, demo_users, case):
    given = give_consent(demo_users, case, "referral", recipient=agency(SHELTER))
    client = as_user("caseworker.hanoi")
    response = client.post(url("referrals", case), referral_data(consent=str(given.pk)))
    named(response, "consent", "names another recipient")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reason": "   "}, "reason", "Give the reason."),
        ({"service_type": "magic"}, "service_type", "Select a valid choice"),
        ({"provider": "00000000-0000-0000-0000-000000000000"}, "provider", "Choose an agency from the list."),
        ({"follow_up_on": "32/01/2027"}, "follow_up_on", "is not a real date"),
    ],
)
def test_a_refused_referral_names_the_field(as_user, case, changes, field, message):
    client = as_user("caseworker.hanoi")
    response = client.post(url("referrals", case), referral_data(legal_basis="Điều 3 (minh họa)", **changes))
    named(response, field, message)
    assert not Referral.objects.exists()


def test_a_referral_is_updated_through_its_allowed_statuses(as_user, demo_users, case):
    referral = services.create_referral(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={
            "provider": agency(JOBS),
            "service_type": "employment",
            "reason": "Tìm việc (minh họa)",
            "legal_basis": "Điều 3 (minh họa)",
        },
    )
    client = as_user("caseworker.hanoi")
    update = url("referral_update", case, referral.pk)
    response = client.post(update, {"status": "completed", "outcome": ""})
    assert response.status_code == 400
    row = response.context["rows"][0]
    assert "status" in row["update"].errors and row["update_open"]
    assert f'href="#id_referral-{referral.pk}_status"' in response.content.decode()
    assert client.post(update, {"status": "accepted", "outcome": "Đã nhận hồ sơ"}).status_code == 302
    assert client.post(update, {"status": "completed", "outcome": "Đã có việc làm (minh họa)"}).status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == ("completed", "Đã có việc làm (minh họa)")
    page = client.get(url("referrals", case))
    assert page.context["rows"][0]["update"] is None and "Completed" in page.content.decode()
    # A completed referral cannot change: said, not an error page.
    response = client.post(update, {"status": "declined"}, follow=True)
    assert "cannot change any more" in response.content.decode()
    # Another user's reader role cannot update it.
    assert as_user("coordinator.hanoi").post(update, {"status": "declined"}).status_code == 403


def test_a_referral_of_another_case_is_not_found(as_user, demo_users, case, make_case):
    other = make_case()
    referral = services.create_referral(
        actor=demo_users["caseworker.hanoi"],
        case=other,
        data={"provider": agency(JOBS), "service_type": "health", "reason": "Khám (minh họa)", "legal_basis": "x"},
    )
    client = as_user("caseworker.hanoi")
    assert client.post(url("referral_update", case, referral.pk), {"status": "accepted"}).status_code == 404


# --- Transfer -----------------------------------------------------------------------------------


def transfer_data(**changes):
    data = {
        "to_unit": commune("Xã Tây Phương").code,
        "to_agency": str(agency(RECEIVING_AGENCY).pk),
        "reason": "Người này sống tại xã Tây Phương (minh họa)",
        "consent": "",
        "legal_basis": "",
    }
    data.update(changes)
    return data


def test_a_transfer_is_requested_and_the_receiving_commune_accepts_it(as_user, demo_users, case):
    given = give_consent(demo_users, case, "transfer", recipient=agency(RECEIVING_AGENCY))
    worker = as_user("caseworker.hanoi")
    response = worker.post(url("transfer", case), transfer_data(consent=str(given.pk)))
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.status == "pending" and transfer.to_unit == commune("Xã Tây Phương")
    page = worker.get(url("transfer", case))
    assert page.context["form"] is None and "Waiting for Ủy ban nhân dân Xã Tây Phương" in page.content.decode()

    receiver = as_user("commune.hanoi.b")
    assert receiver.get(url("detail", case)).status_code == 404  # not before it accepts
    listing = receiver.get(reverse("cases:worklist"))
    html = listing.content.decode()
    incoming = html[html.index('id="incoming-heading"') : html.index('id="cases-heading"')]
    assert case.number in incoming and "Xã Thạch Thất" in incoming and "sống tại xã Tây Phương" in incoming
    assert NAME not in html and f'href="{url("detail", case)}"' not in html  # no identity, no link
    answer = reverse("cases:transfer_decide", args=[transfer.pk])
    response = receiver.post(answer, {"decision": "accept", "note": "Đồng ý tiếp nhận"})
    assert response.status_code == 302 and response["Location"] == url("detail", case)
    case.refresh_from_db()
    assert case.unit == commune("Xã Tây Phương") and case.agency == agency(RECEIVING_AGENCY)
    page = receiver.get(url("detail", case))
    assert page.status_code == 200 and NAME in page.content.decode()
    assert "Transfer accepted" in [row["kind"] for row in page.context["timeline"]]
    assert receiver.get(url("transfer", case)).context["transfers"][0]["status"] == "Accepted"
    # It leaves the list; answering again is said, not an error page.
    assert case.number not in receiver.get(reverse("cases:worklist")).content.decode().split('id="cases-heading"')[0]
    response = receiver.post(answer, {"decision": "decline", "note": "x"}, follow=True)
    assert "already been answered" in response.content.decode()


def test_declining_a_transfer_needs_a_reason(as_user, demo_users, case):
    services.request_transfer(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={
            "to_unit": commune("Xã Tây Phương"),
            "to_agency": agency(RECEIVING_AGENCY),
            "reason": "Về quê (minh họa)",
            "legal_basis": "Điều 3 (minh họa)",
        },
    )
    transfer = Transfer.objects.get()
    receiver = as_user("commune.hanoi.b")
    answer = reverse("cases:transfer_decide", args=[transfer.pk])
    response = receiver.post(answer, {"decision": "decline", "note": " "})
    assert response.status_code == 400
    row = response.context["incoming"][0]
    assert row["open"] and row["form"].errors["note"] == ["Give the reason."]
    assert f'href="#id_transfer-{transfer.pk}_note"' in response.content.decode()
    response = receiver.post(answer, {"decision": "maybe"})
    assert response.status_code == 400 and "Accept or decline" in response.content.decode()
    assert receiver.post(answer, {"decision": "decline", "note": "Không cư trú tại xã"}).status_code == 302
    transfer.refresh_from_db()
    case.refresh_from_db()
    assert transfer.status == "declined" and case.unit == commune("Xã Thạch Thất")
    worker = as_user("caseworker.hanoi")
    page = worker.get(url("transfer", case))
    assert "Không cư trú tại xã" in page.content.decode() and page.context["form"] is not None


def test_only_the_receiving_unit_may_answer(as_user, demo_users, case):
    services.request_transfer(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={
            "to_unit": commune("Xã Tây Phương"),
            "to_agency": agency(RECEIVING_AGENCY),
            "reason": "Về quê (minh họa)",
            "legal_basis": "Điều 3 (minh họa)",
        },
    )
    transfer = Transfer.objects.get()
    answer = reverse("cases:transfer_decide", args=[transfer.pk])
    for username in ("commune.hanoi.a", "caseworker.haiphong"):
        assert as_user(username).post(answer, {"decision": "accept"}).status_code == 404
    assert as_user("coordinator.hanoi").post(answer, {"decision": "accept"}).status_code == 403
    # The requester's own request is not in their list of transfers to answer.
    assert not as_user("caseworker.hanoi").get(reverse("cases:worklist")).context["incoming"]
    transfer.refresh_from_db()
    assert transfer.status == "pending"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"to_unit": "99999"}, "to_unit", "There is no administrative unit with code 99999."),
        ({"to_unit": "old"}, "to_unit", "not valid on"),
        ({"to_unit": ""}, "to_unit", "Name the unit"),
        ({"to_unit": "here"}, "to_unit", "already in this unit"),
        ({"to_agency": "haiphong"}, "to_agency", "does not work in"),
        ({"to_agency": "nonsense"}, "to_agency", "Choose an agency from the list."),
        ({"reason": ""}, "reason", "Give the reason."),
        ({"legal_basis": ""}, "consent", "Record the person's consent, or the legal basis"),
    ],
)
def test_a_refused_transfer_names_the_field(as_user, case, changes, field, message):
    changes = dict(changes)
    if changes.get("to_unit") == "old":
        from haidang.places.models import UnitLevel

        changes["to_unit"] = AdministrativeUnit.objects.get(level=UnitLevel.DISTRICT, name="Huyện Thạch Thất").code
    if changes.get("to_unit") == "here":
        changes["to_unit"] = commune("Xã Thạch Thất").code
        changes["to_agency"] = str(agency(OFFICER_AGENCY).pk)
    if changes.get("to_agency") == "haiphong":
        changes["to_agency"] = str(agency("Ủy ban nhân dân Phường Hồng Bàng").pk)
    client = as_user("caseworker.hanoi")
    response = client.post(url("transfer", case), transfer_data(**{"legal_basis": "Điều 3 (minh họa)", **changes}))
    named(response, field, message)
    assert not Transfer.objects.exists()


def test_the_agencies_of_a_unit_in_another_province_are_offered_once_its_code_is_given(as_user, case):
    client = as_user("caseworker.hanoi")
    haiphong = commune("Phường Hồng Bàng", province="31")
    offered = [
        label for _value, label in client.get(url("transfer", case)).context["form"].fields["to_agency"].widget.choices
    ]
    assert "Ủy ban nhân dân Phường Hồng Bàng" not in offered
    response = client.post(url("transfer", case), transfer_data(to_unit=haiphong.code, to_agency=""))
    named(response, "to_agency", "This field is required.")
    offered = [label for _value, label in response.context["form"].fields["to_agency"].widget.choices]
    assert offered[1] in ("Ủy ban nhân dân Phường Hồng Bàng", "Công an Phường Hồng Bàng")
    hong_bang = agency("Ủy ban nhân dân Phường Hồng Bàng")
    response = client.post(
        url("transfer", case),
        transfer_data(to_unit=haiphong.code, to_agency=str(hong_bang.pk), legal_basis="Điều 3 (minh họa)"),
    )
    assert response.status_code == 302
    assert Transfer.objects.get().to_agency == hong_bang


def test_a_second_transfer_while_one_is_waiting_is_refused(as_user, case):
    client = as_user("caseworker.hanoi")
    data = transfer_data(legal_basis="Điều 3 (minh họa)")
    assert client.post(url("transfer", case), data).status_code == 302
    response = client.post(url("transfer", case), data)
    assert response.status_code == 400 and Transfer.objects.count() == 1
    assert "already waiting for an answer" in response.content.decode()


# --- Follow-up visits ---------------------------------------------------------------------------


def visit_data(**changes):
    data = {
        "visit_date": day(TODAY()),
        "situation": "Sức khoẻ ổn định, đã đi làm (minh họa)",
        "needs": "Vốn vay nhỏ",
        "next_visit_on": day(TODAY() + timedelta(days=30)),
    }
    data.update(changes)
    return data


def test_a_follow_up_visit_is_recorded_and_listed(as_user, case):
    client = as_user("commune.hanoi.a")
    response = client.post(url("visits", case), visit_data())
    assert response.status_code == 302
    visit = FollowUpVisit.objects.get()
    assert visit.needs == "Vốn vay nhỏ" and visit.next_visit_on == TODAY() + timedelta(days=30)
    page = client.get(url("visits", case))
    html = page.content.decode()
    assert "Sức khoẻ ổn định" in html and day(TODAY() + timedelta(days=30)) in html
    assert page.context["next_visit"] == TODAY() + timedelta(days=30) and not page.context["next_overdue"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"situation": "  "}, "situation", "This field is required."),
        ({"visit_date": "future"}, "visit_date", "is in the future"),
        ({"visit_date": "1/13/2026"}, "visit_date", "is not a real date"),
        ({"next_visit_on": "before"}, "next_visit_on", "must come after this one"),
    ],
)
def test_a_refused_visit_names_the_field(as_user, case, changes, field, message):
    if changes.get("visit_date") == "future":
        changes = {"visit_date": day(TODAY() + timedelta(days=1))}
    if changes.get("next_visit_on") == "before":
        changes = {"next_visit_on": day(TODAY() - timedelta(days=1))}
    client = as_user("caseworker.hanoi")
    named(client.post(url("visits", case), visit_data(**changes)), field, message)
    assert not FollowUpVisit.objects.exists()


# --- Rate tables --------------------------------------------------------------------------------


def rate_data(**changes):
    data = {
        "province": str(province("01").pk),
        "regime": "MED",
        "item": "Khám sức khoẻ (minh họa)",
        "unit_label": "once",
        "amount": "300000",
        "max_units": "",
        "valid_from": "01/07/2025",
        "valid_to": "",
        "legal_basis": "Nghị quyết minh họa 03/2025/NQ-HĐND",
    }
    data.update(changes)
    return data


def test_the_coordinator_adds_a_rate_and_it_is_listed_by_province_and_regime(as_user, meals):
    client = as_user("coordinator.hanoi")
    page = client.get(reverse("cases:rates"))
    assert page.status_code == 200 and page.context["form"] is not None
    assert list(page.context["form"].fields["province"].queryset) == [province("01")]
    response = client.post(reverse("cases:rates"), rate_data())
    assert response.status_code == 302
    rate = RateTable.objects.get(regime="MED")
    assert (rate.amount, rate.unit_label, rate.created_by.username) == (Decimal(300000), "once", "coordinator.hanoi")
    page = client.get(reverse("cases:rates"))
    html = page.content.decode()
    assert "Rate recorded: Khám sức khoẻ (minh họa), 300,000 VND, Thành phố Hà Nội." in html
    assert [row["regime"] for row in page.context["rows"]] == ["a) Essential needs", "b) Medical support"]
    filtered = client.get(reverse("cases:rates"), {"regime": "MED", "province": "01"}).context["rows"]
    assert [row["item"] for row in filtered] == ["Khám sức khoẻ (minh họa)"]
    by_name = client.get(reverse("cases:rates"), {"regime": "MED", "province": "ha noi"}).context["rows"]
    assert [row["item"] for row in by_name] == ["Khám sức khoẻ (minh họa)"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "50.000"}, "amount", "whole number of đồng"),
        ({"amount": "-1"}, "amount", "zero or more"),
        ({"amount": "99999999999999999999"}, "amount", "at most 13 digits"),
        ({"item": MEALS, "regime": "ESS"}, "valid_from", "Another rate for this item is valid"),
        ({"valid_to": "30/06/2025"}, "valid_to", "before its start"),
        ({"legal_basis": ""}, "legal_basis", "This field is required."),
        ({"province": "haiphong"}, "province", "Choose a province from the list."),
        ({"regime": "ZZZ"}, "regime", "Select a valid choice"),
        ({"max_units": "0"}, "max_units", "Enter one or more."),
    ],
)
def test_a_refused_rate_names_the_field(as_user, meals, changes, field, message):
    if changes.get("province") == "haiphong":
        changes = {"province": str(province("31").pk)}
    client = as_user("coordinator.hanoi")
    response = client.post(reverse("cases:rates"), rate_data(**changes))
    named(response, field, message)
    assert RateTable.objects.count() == 1


def test_case_workers_read_their_provinces_rates_and_cannot_add_one(as_user, demo_users, meals):
    support.create_rate(
        actor=demo_users["coordinator.haiphong"],
        data={
            "province": province("31"),
            "regime": "ESS",
            "item": "Tiền ăn Hải Phòng (minh họa)",
            "unit_label": "day",
            "amount": Decimal(45000),
            "valid_from": date(2025, 7, 1),
            "legal_basis": "Nghị quyết minh họa (Hải Phòng)",
        },
    )
    for username in ("caseworker.hanoi", "commune.hanoi.a"):
        client = as_user(username)
        page = client.get(reverse("cases:rates"))
        assert page.status_code == 200 and page.context["form"] is None
        assert [row["item"] for row in page.context["rows"]] == [MEALS]
        assert client.post(reverse("cases:rates"), rate_data()).status_code == 403
    coordinator = as_user("coordinator.hanoi").get(reverse("cases:rates"))
    assert [row["item"] for row in coordinator.context["rows"]] == [MEALS]
    assert as_user("prevention.haiphong").get(reverse("cases:rates")).status_code == 403
    assert RateTable.objects.count() == 2


# --- Nothing a user sends is an error page; queries do not grow with rows ------------------------


GARBAGE = {
    "given_by": "x" * 300,
    "purpose": "\u0000",
    "recipient": "'; DROP TABLE",
    "given_on": "99/99/9999",
    "beneficiary": "1",
    "regime": "ESS",
    "item": "x" * 500,
    "provider": "-1",
    "quantity": "1e9",
    "start_date": "0000-00-00",
    "status": "sent",
    "to_unit": "x" * 50,
    "to_agency": "1",
    "consent": "[]",
    "decision": "accept",
    "visit_date": "1900-01-01",
    "amount": "NaN",
    "province": "0",
    "withdrawn_on": "",
}


def test_no_input_produces_a_server_error(as_user, demo_users, case):
    given = give_consent(demo_users, case, "referral")
    referral = services.create_referral(
        actor=demo_users["caseworker.hanoi"],
        case=case,
        data={"provider": agency(JOBS), "service_type": "health", "reason": "Khám (minh họa)", "consent": given},
    )
    client = as_user("caseworker.hanoi")
    targets = [
        url("consent", case),
        url("consent_withdraw", case, given.pk),
        url("support", case),
        url("support_extension", case),
        url("referrals", case),
        url("referral_update", case, referral.pk),
        url("transfer", case),
        url("visits", case),
        reverse("cases:rates"),
    ]
    for target in targets:
        for data in ({}, GARBAGE):
            response = client.post(target, data)
            assert response.status_code in (302, 400, 403, 404), (target, response.status_code)
    rates = reverse("cases:rates")
    assert client.get(rates, {"regime": "zz", "province": "x" * 40, "page": "-1"}).status_code == 200
    # A NUL character is refused before any view (common.middleware.RejectNulMiddleware).
    assert client.get(rates, {"regime": "\u0000"}).status_code == 400
    assert client.get("/cases/not-a-uuid/support/").status_code == 404
    assert client.get(f"/cases/{case.pk}/consent/{case.pk}/withdraw/").status_code == 405


def test_sub_page_queries_do_not_grow_with_rows(as_user, demo_users, case, meals):
    worker = demo_users["caseworker.hanoi"]
    given = give_consent(demo_users, case, "referral")

    def add_rows():
        support.record_support_item(
            actor=worker,
            case=case,
            data={
                "regime": "ESS",
                "item": MEALS,
                "provider": agency(SHELTER),
                "start_date": TODAY(),
                "quantity": 1,
            },
        )
        services.create_referral(
            actor=worker,
            case=case,
            data={"provider": agency(JOBS), "service_type": "health", "reason": "Khám (minh họa)", "consent": given},
        )
        give_consent(demo_users, case, "share")
        services.record_visit(actor=worker, case=case, data={"visit_date": TODAY(), "situation": "Ổn định"})

    add_rows()
    client = as_user("caseworker.hanoi")
    pages = ["consent", "support", "referrals", "transfer", "visits"]
    for page in pages:
        client.get(url(page, case))  # warm caches
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url(page, case))
        counts[page] = len(queries.captured_queries)
    for _index in range(6):
        add_rows()
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(page, case))
        assert response.status_code == 200
        assert len(queries.captured_queries) <= counts[page], (page, counts[page], len(queries.captured_queries))


def test_the_pages_keep_identities_out_of_lists_for_readers(as_user, case, meals):
    worker = as_user("caseworker.hanoi")
    assert worker.post(url("support", case), item_data(case)).status_code == 302
    reader = as_user("coordinator.hanoi")
    html = reader.get(url("support", case)).content.decode()
    assert NAME not in html and "The person" in html
    assert Case.objects.get().person.full_name == NAME


def test_break_the_glass_page_opens_an_outside_case_with_a_reason(demo_users, sign_in, settings):
    from datetime import date as _date

    from haidang.access.models import Agency as _Agency
    from haidang.cases import services as _services
    from haidang.places.models import AdministrativeUnit as _Unit

    case = _services.create_case(
        actor=demo_users["caseworker.hanoi"],
        person_data={"full_name": "Người thử (minh họa)"},
        case_data={
            "intake_channel": "hotline_tip",
            "reception_date": _date(2026, 6, 1),
            "unit": _Unit.objects.get(code="01", valid_to__isnull=True),
            "agency": _Agency.objects.get(name="Sở Y tế Thành phố Hà Nội"),
        },
    )
    client = sign_in(demo_users["caseworker.haiphong"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    refused = client.post("/cases/break-glass/", {"case_number": case.number, "reason": "x"})
    assert refused.status_code == 400
    opened = client.post(
        "/cases/break-glass/", {"case_number": case.number, "reason": "Nạn nhân đang ở Hải Phòng, cần hỗ trợ gấp"}
    )
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    analyst = sign_in(demo_users["analyst"])
    assert analyst.get("/cases/break-glass/").status_code == 403
