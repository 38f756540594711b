"""Validation rules get a severity. The default form's "identified ≤ received" becomes a warning:
within one period it fails legitimately for a person received last period and identified in this
one, and as an error it stopped communes from submitting true figures. The severity changes how
the rule is enforced, not what any figure means, so the published version is updated in place."""

from django.db import migrations, models


def identified_within_received_warns(apps, schema_editor):
    ValidationRule = apps.get_model("reporting", "ValidationRule")
    ValidationRule.objects.filter(
        version__form__code="CTMBN", left_indicator__code="V2", operator="<=", right_indicator__code="V1"
    ).update(severity="warning")


def identified_within_received_blocks(apps, schema_editor):
    ValidationRule = apps.get_model("reporting", "ValidationRule")
    ValidationRule.objects.filter(
        version__form__code="CTMBN", left_indicator__code="V2", operator="<=", right_indicator__code="V1"
    ).update(severity="error")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_default_report_form")]

    operations = [
        migrations.AddField(
            model_name="validationrule",
            name="severity",
            field=models.CharField(
                choices=[("error", "Error (blocks submission)"), ("warning", "Warning (does not block)")],
                default="error",
                max_length=8,
                verbose_name="severity",
            ),
        ),
        migrations.RunPython(identified_within_received_warns, identified_within_received_blocks),
    ]
