"""Which lab panels are LIS-sourced (docs/LAB_IMPORT.md "Provenance"): every analyte value the panel
holds is still the one accepted from an import. The rule is written twice in labs/selectors.py, in
Python per field (`lis_sourced_values`, for the form and the exports) and in SQL per panel
(`lis_sourced_panels_sql`, for central monitoring); here both answer the same on crafted panels."""
from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from crf import registry
from crf.models.labs import LabPanel
from crf.services.entry import save_crf
from labs.selectors import lis_sourced_panel_ids, lis_sourced_panels_sql
from tests import factories
from tests.labs.helpers import EXAMPLES, LATER, data_manager, example_trial, lab_csv, stage_and_accept

pytestmark = pytest.mark.django_db
MONTH3 = datetime(2025, 6, 12, 9, 0, tzinfo=factories.SHANGHAI)  # after both month-3 samples


def type_over(panel: LabPanel, user, **values) -> None:
    """A clinician changes the form through its one save path."""
    for name, value in values.items():
        setattr(panel, name, value)
    with time_machine.travel(MONTH3, tick=False):
        save_crf(registry.get("labs"), panel, visit=panel.visit, user=user, reason="Corrected from the paper report",
                 acknowledge=True)


def sql_ids() -> set:
    with connection.cursor() as cursor:
        cursor.execute(lis_sourced_panels_sql())
        return {row[0] for row in cursor.fetchall()}


def test_the_python_and_sql_rules_agree_on_crafted_panels(site, clinician):
    p1, p2 = example_trial(site, clinician)
    dm = data_manager(site)
    name = "lis_export_en_utf8_bom.csv"  # months 0 and 1 of both participants, every analyte
    stage_and_accept((EXAMPLES / name).read_bytes(), dm, at=LATER, filename=name)
    # month 3 (2025-06-03 ± 7 days): UPCR in g/g, so its unit can change without the value
    for p, hospital, day in ((p1, "ZY2025000123", "2025-06-03 08:00"), (p2, "ZY2025000456", "2025-06-04 08:00")):
        stage_and_accept(lab_csv(hospital, day, f"R-{p.pk}-m3", [("UPCR", "2.4", "g/g"), ("CREA", "80", "umol/L")]),
                         dm, at=MONTH3, filename=f"m3-{hospital}.csv")
    panel = {(p, code): LabPanel.objects.get(participant=p, visit__code=code)
             for p in (p1, p2) for code in ("m0", "m1", "m3")}
    assert panel[p1, "m0"].urinary_casts == "heme_granular"  # a category, imported and untouched
    assert panel[p2, "m0"].c4_g_l is None  # "<0.05": staged invalid, nothing imported
    type_over(panel[p1, "m1"], clinician, albumin_g_l=Decimal("31.0"))  # one value typed over
    type_over(panel[p2, "m0"], clinician, c4_g_l=Decimal("0.05"))  # typed where nothing was imported
    type_over(panel[p2, "m1"], clinician, urinary_casts="other")  # a category typed over
    type_over(panel[p1, "m3"], clinician, upcr_unit="mg/mmol")  # the same number in another unit
    expected = {panel[p1, "m0"].pk, panel[p2, "m3"].pk}
    assert lis_sourced_panel_ids(LabPanel.objects.all()) == expected
    assert sql_ids() == expected


def test_typing_back_the_imported_value_makes_it_lis_sourced_again(site, clinician):
    """The rule reads the values, not the history: the form holds what the laboratory reported."""
    p1, _p2 = example_trial(site, clinician)
    dm = data_manager(site)
    stage_and_accept(lab_csv("ZY2025000123", "2025-06-03 08:00", "R-m3", [("UPCR", "2.4", "g/g"),
                                                                           ("CREA", "80", "umol/L")]), dm, at=MONTH3)
    panel = LabPanel.objects.get(participant=p1, visit__code="m3")
    type_over(panel, clinician, creatinine_value=Decimal("81"))
    assert sql_ids() == lis_sourced_panel_ids([panel]) == set()
    type_over(panel, clinician, creatinine_value=Decimal("80.00"))
    assert sql_ids() == lis_sourced_panel_ids([panel]) == {panel.pk}
