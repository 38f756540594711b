"""The page that changes a linked person: the same rights as linking one, the service's refusals
on their field, identities and notes kept from a role that may not see them, and a change made
meanwhile by someone else refused without losing what was entered."""

import pytest
from django.urls import reverse

from haidang.audit.models import AuditEntry
from haidang.cases import protection, selectors
from haidang.cases.models import LinkedPerson
from haidang.cases.tests import test_views_protection as shared
from haidang.cases.tests.test_views_protection import CHILD, decided, errors_of, url

pytestmark = pytest.mark.django_db

# The protection pages' fixtures: signing in as a demo user, the case worker, a case identified yesterday.
worker, case = shared.worker, shared.case

NOTES = "Ở với bà ngoại tại thôn Yên Bình (minh họa)"


@pytest.fixture
def link(worker, case):
    return protection.link_person(
        actor=worker,
        case=case,
        person_data={"full_name": CHILD, "sex": "male", "birth_year": 2019, "nationality_class": "vn_citizen"},
        relationship="child",
        notes=NOTES,
    )


def edit_url(link):
    return reverse("cases:link_edit", args=[link.case_id, link.pk])


def form_data(response, **changes):
    """What the page's form holds, as it would be posted back, with `changes`."""
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_the_case_worker_changes_a_linked_person_from_the_people_page(as_user, case, link):
    client = as_user("caseworker.hanoi")
    people = client.get(url("people", case)).content.decode()
    assert f'href="{edit_url(link)}"' in people

    page = client.get(edit_url(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert CHILD in html and NOTES in html
    response = client.post(edit_url(link), form_data(page, relationship="sibling", notes="Đã về nhà (minh họa)"))
    assert response.status_code == 302 and response["Location"] == url("people", case)
    link.refresh_from_db()
    assert link.relationship == "sibling" and link.notes == "Đã về nhà (minh họa)"
    assert case.events.filter(kind="link_updated").exists()
    entry = AuditEntry.objects.filter(action="cases.link_updated").latest("id")
    assert entry.changes["relationship"] == "sibling"


def test_a_refusal_of_the_service_names_its_field_and_changes_nothing(as_user, worker, case, link):
    decided(worker, case, subject=link.person)
    client = as_user("caseworker.hanoi")
    page = client.get(edit_url(link))
    assert page.context["form"]["is_protected"].value() is True
    data = form_data(page)
    del data["is_protected"]
    response = client.post(edit_url(link), data)
    assert response.status_code == 400 and "is_protected" in errors_of(response)
    assert 'href="#id_is_protected"' in response.content.decode()
    link.refresh_from_db()
    assert link.is_protected


def test_a_relationship_not_offered_names_the_field(as_user, link):
    client = as_user("caseworker.hanoi")
    response = client.post(edit_url(link), form_data(client.get(edit_url(link)), relationship="boss"))
    assert response.status_code == 400 and "relationship" in errors_of(response)
    link.refresh_from_db()
    assert link.relationship == "child"


def test_a_change_made_meanwhile_is_not_overwritten_and_what_was_entered_is_kept(as_user, worker, link):
    client = as_user("caseworker.hanoi")
    page = client.get(edit_url(link))
    protection.update_link(actor=worker, link=link, version=1, data={"notes": "Ghi chú của đồng nghiệp (minh họa)"})
    response = client.post(edit_url(link), form_data(page, notes="Ghi chú của tôi (minh họa)"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this linked person" in html
    assert "Ghi chú của đồng nghiệp (minh họa)" in html and "Ghi chú của tôi (minh họa)" in html
    link.refresh_from_db()
    assert link.notes == "Ghi chú của đồng nghiệp (minh họa)"

    again = client.post(edit_url(link), form_data(response))
    assert again.status_code == 302
    link.refresh_from_db()
    assert link.notes == "Ghi chú của tôi (minh họa)"


def test_a_case_in_another_province_is_not_found(as_user, link):
    client = as_user("caseworker.haiphong")
    assert client.get(edit_url(link)).status_code == 404
    assert client.post(edit_url(link), {"relationship": "sibling"}).status_code == 404


def test_a_link_of_another_case_is_not_found(as_user, case, link):
    other = reverse("cases:link_edit", args=[case.pk, "00000000-0000-0000-0000-000000000000"])
    assert as_user("caseworker.hanoi").get(other).status_code == 404


def test_a_role_without_the_right_to_change_the_case_is_refused(as_user, case, link):
    client = as_user("coordinator.hanoi")
    assert f'href="{edit_url(link)}"' not in client.get(url("people", case)).content.decode()
    assert client.get(edit_url(link)).status_code == 403
    assert client.post(edit_url(link), {"relationship": "sibling"}).status_code == 403
    link.refresh_from_db()
    assert link.relationship == "child"


def test_a_role_that_may_not_see_identities_sees_them_masked_and_keeps_the_notes(
    as_user,
    monkeypatch,
    link,
):
    # No role today may change a case without seeing identities; the page must still hold if one does.
    monkeypatch.setattr(selectors, "can_see_identity", lambda user, seen: False)
    client = as_user("caseworker.hanoi")
    page = client.get(edit_url(link))
    html = page.content.decode()
    assert page.status_code == 200
    assert CHILD not in html and NOTES not in html and selectors.MASK in html
    assert "notes" not in page.context["form"].fields
    response = client.post(edit_url(link), form_data(page, relationship="sibling", notes="ignored"))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.relationship == "sibling" and link.notes == NOTES
    assert LinkedPerson.objects.get(pk=link.pk).person.full_name == CHILD
