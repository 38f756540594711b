"""Steps get the date they happened beside the time they were recorded; free-text deciding bodies
and ethnicities are kept in legacy columns while the new fields take agencies and codes.

Existing steps are dated from what is known: intake and "received" by the reception date, an
identification by its decision date, anything else by the local day it was recorded.
"""

from datetime import date

from django.db import migrations, models
from django.utils import timezone


def _local_day(moment):
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def date_existing_steps(apps, schema_editor):
    CaseEvent = apps.get_model("cases", "CaseEvent")
    events = CaseEvent.objects.select_related("case").order_by("pk")
    for event in events.iterator(chunk_size=2000):
        day = _local_day(event.recorded_at)
        if event.kind == "created" or (event.kind == "transition" and event.to_status == "received"):
            day = event.case.reception_date
        elif event.to_status == "identified":
            try:
                day = date.fromisoformat(str((event.data or {}).get("decision_date")))
            except ValueError:
                pass
        CaseEvent.objects.filter(pk=event.pk).update(event_date=day)


def codes_for_ethnicity(apps, schema_editor):
    """A recorded name of one of the 54 groups becomes its code; anything else moves, unchanged,
    to the legacy column (shown as "to correct"), never dropped."""
    from haidang.common.ethnicities import resolve_ethnicity

    Person = apps.get_model("cases", "Person")
    for person in Person.objects.exclude(ethnicity="").only("pk", "ethnicity").iterator(chunk_size=2000):
        code = resolve_ethnicity(person.ethnicity)
        if code is not None:
            Person.objects.filter(pk=person.pk).update(ethnicity=code)
        else:
            Person.objects.filter(pk=person.pk).update(ethnicity="", ethnicity_legacy=person.ethnicity[:60])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_protection_shelter_reintegration_files"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="caseevent", name="case_event_timeline"),
        migrations.RenameField(model_name="caseevent", old_name="occurred_at", new_name="recorded_at"),
        migrations.AddField(
            model_name="caseevent",
            name="event_date",
            field=models.DateField(null=True, verbose_name="date of the event"),
        ),
        migrations.RunPython(date_existing_steps, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="caseevent",
            name="event_date",
            field=models.DateField(verbose_name="date of the event"),
        ),
        migrations.RenameField(model_name="protectiondecision", old_name="decided_by", new_name="decided_by_legacy"),
        migrations.RenameField(model_name="supportextension", old_name="decided_by", new_name="decided_by_legacy"),
        migrations.RenameField(
            model_name="shelterstay", old_name="extension_decided_by", new_name="extension_decided_by_legacy"
        ),
        migrations.RenameField(
            model_name="reintegrationapplication", old_name="decided_by", new_name="decision_recorded_by"
        ),
        migrations.AddField(
            model_name="person",
            name="ethnicity_legacy",
            field=models.CharField(blank=True, max_length=60, verbose_name="ethnicity as first recorded (to correct)"),
        ),
        migrations.RunPython(codes_for_ethnicity, migrations.RunPython.noop),
    ]
