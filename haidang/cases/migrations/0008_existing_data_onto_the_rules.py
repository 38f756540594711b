"""Existing records onto the rules of issue 10.

- Deciding bodies typed as free text: a text that is exactly an agency's name (or short name, NFC,
  case and spaces aside) becomes that agency; anything else stays in the legacy column, shown as
  "as first recorded", never dropped. A Form 07 decision recorded by a user becomes the decision of
  the user's Department of Health when they belong to exactly one.
- Where the person is: a case handed over at the border returned on its reception date; a case
  found abroad that reached "returned home" returned by that step's date at the latest.
- Country codes: codes written in lower case or as alpha-2 or a country name become alpha-3 codes;
  what names no country is kept as it is and listed by `manage.py code_corrections`.
- The legal regime is recomputed as the eligibility engine decides it (Art. 63).
"""

import unicodedata

import pycountry
from django.db import migrations
from django.db.models import F, Q

COUNTRY_FIELDS = {
    "Case": ("found_country", "destination_country"),
    "Person": ("nationality_country",),
}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def agencies_for_deciders(apps, schema_editor):
    Agency = apps.get_model("access", "Agency")
    by_name: dict[str, list] = {}
    for agency in Agency.objects.all().only("pk", "name", "short_name"):
        for name in {agency.name, agency.short_name} - {""}:
            by_name.setdefault(_key(name), []).append(agency.pk)

    def match(text):
        found = by_name.get(_key(text), [])
        return found[0] if len(found) == 1 else None

    for model, legacy, target in (
        ("ProtectionDecision", "decided_by_legacy", "deciding_agency_id"),
        ("SupportExtension", "decided_by_legacy", "deciding_agency_id"),
        ("ShelterStay", "extension_decided_by_legacy", "extension_deciding_agency_id"),
    ):
        Model = apps.get_model("cases", model)
        for row in Model.objects.exclude(**{legacy: ""}).only("pk", legacy):
            agency_id = match(getattr(row, legacy))
            if agency_id is not None:
                Model.objects.filter(pk=row.pk).update(**{target: agency_id, legacy: ""})

    Application = apps.get_model("cases", "ReintegrationApplication")
    Membership = apps.get_model("access", "Membership")
    for application in Application.objects.filter(decision_recorded_by__isnull=False, deciding_agency__isnull=True):
        agencies = set(
            Membership.objects.filter(
                user_id=application.decision_recorded_by_id, agency__agency_type="health_department"
            ).values_list("agency_id", flat=True)
        )
        if len(agencies) == 1:
            Application.objects.filter(pk=application.pk).update(deciding_agency_id=agencies.pop())


def returns_from_steps(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Case.objects.filter(intake_channel="border_handover", returned_on__isnull=True).update(
        returned_on=F("reception_date")
    )
    abroad = Case.objects.filter(returned_on__isnull=True).filter(
        Q(found_abroad=True) | Q(intake_channel="mission_abroad")
    )
    for case in abroad.only("pk"):
        step = CaseEvent.objects.filter(case_id=case.pk, to_status="returned_home").order_by("event_date").first()
        if step is not None:
            Case.objects.filter(pk=case.pk).update(returned_on=step.event_date)


def alpha3_country_codes(apps, schema_editor):
    from haidang.common.countries import resolve_country

    for model, fields in COUNTRY_FIELDS.items():
        Model = apps.get_model("cases", model)
        for field in fields:
            for value in Model.objects.exclude(**{field: ""}).values_list(field, flat=True).distinct():
                text = value.strip()
                code = resolve_country(text.upper() if len(text) == 3 else text)
                if code is None and len(text) == 2:
                    country = pycountry.countries.get(alpha_2=text.upper())
                    code = country.alpha_3 if country else None
                if code is not None and code != value:
                    Model.objects.filter(**{field: value}).update(**{field: code})


def regimes_by_the_engine(apps, schema_editor):
    from haidang.cases.eligibility import determine_legal_regime

    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    statuses = {
        "not_victim": "not_victim",
        "undetermined": "undetermined",
        "reported": "being_identified",
        "received": "being_identified",
        "initial_verification": "being_identified",
        "further_verification": "being_identified",
    }
    for case in Case.objects.only("pk", "status", "reception_date", "legal_regime").iterator(chunk_size=2000):
        step = CaseEvent.objects.filter(case_id=case.pk, to_status="identified").order_by("-event_date").first()
        identified_on = step.event_date if step is not None else None
        status = statuses.get(case.status) or ("victim" if identified_on else "being_identified")
        regime, _reason = determine_legal_regime(
            status=status, identified_on=identified_on, received_on=case.reception_date
        )
        if str(regime) != case.legal_regime:
            Case.objects.filter(pk=case.pk).update(legal_regime=str(regime))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_agencies_deciders_and_returns"),
        ("access", "0003_agencies_through_time"),
    ]

    operations = [
        migrations.RunPython(agencies_for_deciders, migrations.RunPython.noop),
        migrations.RunPython(returns_from_steps, migrations.RunPython.noop),
        migrations.RunPython(alpha3_country_codes, migrations.RunPython.noop),
        migrations.RunPython(regimes_by_the_engine, migrations.RunPython.noop),
    ]
