"""The plan in force from the start (docs/CENTRAL_MONITORING.md "SDV plan"), so reading a page never
has to write one: 20 % of the non-critical forms, LIS values not counted as verified, a fresh key."""
import secrets

from django.db import migrations


def create_plan(apps, schema_editor):
    plan_model = apps.get_model("monitoring", "SdvPlan")
    history = apps.get_model("monitoring", "HistoricalSdvPlan")
    if plan_model.objects.exists():
        return
    plan = plan_model.objects.create(sample_rate_pct=20, sampling_key=secrets.token_hex(16))
    history.objects.create(id=plan.pk, sample_rate_pct=20, lis_counts_as_verified=False,
                           current_main_consent_version="", current_biospecimen_consent_version="",
                           sampling_key=plan.sampling_key, changed_at=plan.changed_at,
                           history_date=plan.changed_at, history_type="+",
                           history_change_reason="Default plan")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_sdv_plan_and_record_verification")]
    operations = [migrations.RunPython(create_plan, migrations.RunPython.noop)]
