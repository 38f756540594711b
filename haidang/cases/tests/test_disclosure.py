"""The consent gate on every disclosure path, referrals, transfers that move the scope, visits."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from haidang.access.models import Agency
from haidang.cases import selectors, services
from haidang.cases.models import Disclosure, Referral, Transfer
from haidang.places.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def unit(name, province="01"):
    return AdministrativeUnit.objects.get(parent__code=province, valid_to__isnull=True, name=name)


def agency(name):
    return Agency.objects.get(name=name)


@pytest.fixture
def case(demo_users):
    return services.create_case(
        actor=demo_users["caseworker.hanoi"],
        person_data={"full_name": "Đỗ Thị Ngọc (minh họa)", "birth_year": 2006},
        case_data={
            "intake_channel": "border_handover",
            "reception_date": date(2026, 4, 2),
            "unit": AdministrativeUnit.objects.get(code="01", valid_to__isnull=True),
            "agency": agency("Sở Y tế Thành phố Hà Nội"),
        },
    )


def consent(actor, case, purpose, recipient=None, **extra):
    return services.record_consent(
        actor=actor,
        case=case,
        data={
            "given_by": "person",
            "purpose": purpose,
            "recipient": recipient,
            "given_on": date(2026, 4, 3),
            "method": "written",
            **extra,
        },
    )


def refer(actor, case, **extra):
    return services.create_referral(
        actor=actor,
        case=case,
        data={
            "provider": agency("Trung tâm Dịch vụ việc làm Hà Nội (minh họa)"),
            "service_type": "employment",
            "reason": "Tìm việc làm sau khi trở về",
            **extra,
        },
    )


def test_referral_without_consent_or_legal_basis_is_refused(demo_users, case):
    worker = demo_users["caseworker.hanoi"]
    with pytest.raises(ValidationError) as caught:
        refer(worker, case)
    assert "consent" in caught.value.message_dict
    assert not Referral.objects.exists() and not Disclosure.objects.exists()


def test_referral_with_consent_is_sent_and_the_disclosure_recorded(demo_users, case):
    worker = demo_users["caseworker.hanoi"]
    given = consent(worker, case, "referral")
    referral = refer(worker, case, consent=given)
    assert Disclosure.objects.get(case=case).consent == given
    referral = services.update_referral(actor=worker, referral=referral, status="accepted")
    referral = services.update_referral(actor=worker, referral=referral, status="completed", outcome="Có việc làm")
    assert referral.outcome == "Có việc làm"
    with pytest.raises(ValidationError):
        services.update_referral(actor=worker, referral=referral, status="sent")


@pytest.mark.parametrize("problem", ["withdrawn", "other_purpose", "other_recipient"])
def test_consent_that_does_not_cover_the_disclosure_is_refused(demo_users, case, problem):
    worker = demo_users["caseworker.hanoi"]
    if problem == "withdrawn":
        given = consent(worker, case, "referral")
        services.withdraw_consent(actor=worker, consent=given, withdrawn_on=timezone.localdate())
    elif problem == "other_purpose":
        given = consent(worker, case, "export")
    else:
        given = consent(worker, case, "referral", recipient=agency("Trung tâm Trợ giúp pháp lý Hà Nội (minh họa)"))
    with pytest.raises(ValidationError) as caught:
        refer(worker, case, consent=given)
    assert "consent" in caught.value.message_dict


def test_a_recorded_legal_basis_allows_disclosure_without_consent(demo_users, case):
    refer(demo_users["caseworker.hanoi"], case, legal_basis="Yêu cầu của Cơ quan điều tra số 45/CV-CSHS")
    assert Disclosure.objects.get(case=case).legal_basis.startswith("Yêu cầu")


def test_consent_by_a_representative_needs_their_name(demo_users, case):
    with pytest.raises(ValidationError) as caught:
        consent(demo_users["caseworker.hanoi"], case, "transfer", given_by="representative")
    assert "representative_name" in caught.value.message_dict


def test_transfer_to_the_home_commune_moves_the_scope_and_keeps_the_history(demo_users, case):
    worker = demo_users["caseworker.hanoi"]
    home = unit("Xã Tây Phương")
    receiving = agency("Ủy ban nhân dân Xã Tây Phương")
    with pytest.raises(ValidationError) as caught:
        services.request_transfer(
            actor=worker, case=case, data={"to_unit": home, "to_agency": receiving, "reason": "Về nơi cư trú"}
        )
    assert "consent" in caught.value.message_dict
    given = consent(worker, case, "transfer", recipient=receiving)
    transfer = services.request_transfer(
        actor=worker,
        case=case,
        data={"to_unit": home, "to_agency": receiving, "reason": "Về nơi cư trú", "consent": given},
    )
    commune_b = demo_users["commune.hanoi.b"]
    assert selectors.get_case_for_user(commune_b, case.pk) is None
    with pytest.raises(PermissionDenied):
        services.decide_transfer(actor=demo_users["commune.hanoi.a"], transfer=transfer, accept=True)
    services.decide_transfer(actor=commune_b, transfer=transfer, accept=True)
    moved = selectors.get_case_for_user(commune_b, case.pk)
    assert moved is not None and moved.unit == home
    kinds = list(moved.events.values_list("kind", flat=True))
    assert kinds[:1] == ["created"] and "transfer_requested" in kinds and "transfer_accepted" in kinds
    assert Transfer.objects.get(pk=transfer.pk).status == "accepted"


def test_a_declined_transfer_needs_a_reason_and_leaves_the_case(demo_users, case):
    worker = demo_users["caseworker.hanoi"]
    receiving = agency("Ủy ban nhân dân Xã Tây Phương")
    transfer = services.request_transfer(
        actor=worker,
        case=case,
        data={
            "to_unit": unit("Xã Tây Phương"),
            "to_agency": receiving,
            "reason": "Về nơi cư trú",
            "legal_basis": "Điều 30 Luật 53/2024/QH15",
        },
    )
    with pytest.raises(ValidationError):
        services.decide_transfer(actor=demo_users["commune.hanoi.b"], transfer=transfer, accept=False)
    services.decide_transfer(
        actor=demo_users["commune.hanoi.b"], transfer=transfer, accept=False, note="Người này không cư trú tại xã"
    )
    case.refresh_from_db()
    assert case.unit.code == "01"


def test_follow_up_visits_are_validated(demo_users, case):
    worker = demo_users["caseworker.hanoi"]
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        services.record_visit(
            actor=worker,
            case=case,
            data={"visit_date": today, "situation": "Ổn định", "next_visit_on": today - timedelta(days=1)},
        )
    assert "next_visit_on" in caught.value.message_dict
    visit = services.record_visit(
        actor=worker,
        case=case,
        data={"visit_date": today, "situation": "Ổn định", "next_visit_on": today + timedelta(days=30)},
    )
    assert case.visits.get() == visit
