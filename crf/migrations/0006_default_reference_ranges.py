"""The central laboratory's default reference ranges (docs/DECISIONS.md "Laboratory reference ranges"),
created once here so that no read has to write them (a refused form must change nothing)."""
from decimal import Decimal

from django.db import migrations
from django.utils import timezone

DEFAULTS = {
    "albumin": (Decimal(35), Decimal(50), "g/L"), "c3": (Decimal("0.9"), Decimal("1.8"), "g/L"),
    "c4": (Decimal("0.1"), Decimal("0.4"), "g/L"), "anti_dsdna": (None, Decimal(100), "IU/mL"),
    "haemoglobin": (Decimal(115), Decimal(150), "g/L"), "wbc": (Decimal("3.5"), Decimal("9.5"), "×10⁹/L"),
    "platelets": (Decimal(125), Decimal(350), "×10⁹/L"), "alt": (Decimal(7), Decimal(40), "U/L"),
    "ast": (Decimal(13), Decimal(35), "U/L"),
}


def create(apps, schema_editor):
    ranges = apps.get_model("crf", "ReferenceRange")
    history = apps.get_model("crf", "HistoricalReferenceRange")
    for analyte, (low, high, unit) in DEFAULTS.items():
        row, created = ranges.objects.get_or_create(analyte=analyte,
                                                    defaults={"lower": low, "upper": high, "unit": unit})
        if created:
            history.objects.create(id=row.id, analyte=analyte, lower=low, upper=high, unit=unit,
                                   history_date=timezone.now(),
                                   history_type="+", history_change_reason="Default reference range")


class Migration(migrations.Migration):
    dependencies = [("crf", "0005_labpanel_upcr_specimen")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
