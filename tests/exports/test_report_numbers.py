"""The analysis report's numbers against a hand calculation, end to end.

Eight participants in one stratum, made through the real services (randomization, infusion, labs, renal
response, death, AEs), then the database is locked and the datasets released. Every expected figure below is
worked out by hand in the comments (hypergeometric probabilities, Mantel–Haenszel and log-rank statistics with
a χ²(1) tail from math.erfc), independently of scipy/statsmodels, and checked in gather(), the page and the PDF.
"""
import io
import math
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse

from crf import registry
from crf.services import locks
from crf.services.entry import save_crf
from edc import roles
from exports.report_data import gather
from exports.report_figures import survival_figures
from exports.services.release import release_arm
from randomization.models import AllocationRow
from safety.services.adverse_events import record_ae
from tests import factories
from tests.crf import helpers as h
from tests.exports.helpers import crafted
from tests.safety.helpers import SHANGHAI, ae_values

pytestmark = pytest.mark.django_db

CONFIRMED = {"investigator_confirmed": True, "investigator_comment": ""}
M0_UPCR = {"msc": ["2.0", "2.4", "3.0", "1.6"], "placebo": ["2.2", "2.6", "1.8", "3.4"]}


def fisher_two_sided(table):
    """Fisher's exact test by hand: sum of hypergeometric P(a) over tables no more likely than the observed."""
    (a, b), (c, d) = table
    r1, c1, n = a + b, a + c, a + b + c + d

    def prob(x):
        return math.comb(r1, x) * math.comb(n - r1, c1 - x) / math.comb(n, c1)

    observed = prob(a)
    return sum(prob(x) for x in range(max(0, c1 - (n - r1)), min(r1, c1) + 1) if prob(x) <= observed * (1 + 1e-9))


def chi2_1df_p(x2):
    return math.erfc(math.sqrt(x2 / 2))  # upper tail of χ² with 1 df


def mantel_haenszel_x2(table):
    """One stratum, no continuity correction: (a − E)² / Var, E = r1·c1/n, Var = r1·r2·c1·c2 / (n²(n − 1))."""
    (a, b), (c, d) = table
    n = a + b + c + d
    expected = (a + b) * (a + c) / n
    var = (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
    return (a - expected) ** 2 / var


@pytest.fixture
def released_trial(site, clinician):
    factories.strata_and_list(seed=1)  # stratum s1 starts msc, placebo, placebo, msc, msc, placebo, placebo, msc
    people = {"msc": [], "placebo": []}
    arms = AllocationRow.objects.filter(stratum__code="s1").order_by("sequence").values_list("arm", flat=True)
    for arm in list(arms[:8]):
        p = crafted(site, clinician, m0_upcr=Decimal(M0_UPCR[arm][len(people[arm])]))
        assert p.randomization.row.arm == arm
        people[arm].append(p)
    assert [len(v) for v in people.values()] == [4, 4]
    # Month 6: every uc-MSC participant reaches complete response (UPCR 0.3 < 0.5, eGFR unchanged);
    # no placebo participant responds (UPCR 1.8: a 10-44 % fall, < 50 %).
    for arm, upcr in (("msc", "0.3"), ("placebo", "1.8")):
        for p in people[arm]:
            m6 = h.visit(p, "m6")
            h.save("labs", m6, clinician, acknowledge=True, **h.lab_values(m6, upcr_value=Decimal(upcr)))
            h.save("response", m6, clinician, acknowledge=True, **CONFIRMED)
    # Month 12: two uc-MSC observed partial (UPCR 0.8: 60-73 % fall, < 3), two missing -> WOCF carries their
    # month-6 complete response; one placebo observed complete (0.4), one died, two missing -> WOCF "none".
    for p, upcr in ((people["msc"][0], "0.8"), (people["msc"][1], "0.8"), (people["placebo"][0], "0.4")):
        m12 = h.visit(p, "m12")
        h.save("labs", m12, clinician, acknowledge=True, **h.lab_values(m12, upcr_value=Decimal(upcr)))
        h.save("response", m12, clinician, acknowledge=True, **CONFIRMED)
    dead = people["placebo"][3]
    death = registry.get("death")
    save_crf(death, death.model(participant=dead, date=dead.randomization.month0_date + timedelta(days=240),
                                cause="Septic shock", relatedness="Unlikely related", autopsy=False),
             visit=None, user=clinician, acknowledge=True)
    # AEs: one grade 3 under uc-MSC; one grade 2 and one serious (hospitalised, grade 3) under placebo.
    onset = dead.randomization.month0_date + timedelta(days=100)
    record_ae(people["msc"][0], user=clinician, **ae_values(grade=3, onset_date=onset))
    record_ae(people["placebo"][1], user=clinician, **ae_values(grade=2, onset_date=onset))
    aware = h.timezone.now().astimezone(SHANGHAI)
    record_ae(people["placebo"][2], user=clinician, aware_at=aware, narrative="Admitted with pneumonia.",
              **ae_values(grade=3, hospitalisation=True, onset_date=aware.date()))
    locks.lock(scope="database", user=factories.make_user(roles.DATA_MANAGER, site))
    release_arm(user=factories.make_user(roles.RANDOMIZATION_ADMIN, site), reason="Final analysis per SAP")
    return people


def test_report_numbers_match_the_hand_calculation(released_trial, site, client_for):
    r = gather()
    assert r.released and r.groups == ["msc", "placebo"]
    assert r.consort["groups"]["msc"] == {"allocated": 4, "infused": 4, "discontinued": 0, "fas": 4, "pps": 4}
    assert r.consort["groups"]["placebo"]["fas"] == 4

    (m6, counts6, test6, cmh6), (m12, counts12, test12, cmh12) = r.response
    # Month 6: [[4, 0], [0, 4]]. Fisher (expected counts 2 < 5): P(a=4) = P(a=0) = 1/C(8,4) = 1/70 -> P = 2/70.
    assert (m6, counts6) == (6, {"msc": (4, 4), "placebo": (0, 4)})
    assert fisher_two_sided([[4, 0], [0, 4]]) == pytest.approx(2 / 70)
    assert "Fisher" in test6.test and test6.p == pytest.approx(2 / 70) and test6.p_text == ".029"
    # CMH, one stratum: E = 4·4/8 = 2, Var = 4·4·4·4/(64·7) = 4/7, X² = (4 − 2)²/(4/7) = 7.
    assert mantel_haenszel_x2([[4, 0], [0, 4]]) == pytest.approx(7.0)
    assert cmh6.statistic == pytest.approx(7.0) and cmh6.p == pytest.approx(chi2_1df_p(7.0))
    # Month 12 (WOCF): [[4, 0], [1, 3]]. Margins 4/4 and 5/3: P(a) = C(4,a)·C(4,5−a)/C(8,5) = 4, 24, 24, 4 (/56)
    # for a = 1..4; observed a = 4 (4/56) -> P = (4 + 4)/56.
    assert (m12, counts12) == (12, {"msc": (4, 4), "placebo": (1, 4)})
    assert test12.p == pytest.approx(8 / 56) == fisher_two_sided([[4, 0], [1, 3]]) and test12.p_text == ".143"
    # E = 4·5/8 = 2.5, Var = 4·4·5·3/(64·7) = 15/28, X² = 1.5²·28/15 = 4.2.
    assert cmh12.statistic == pytest.approx(4.2) and cmh12.p == pytest.approx(chi2_1df_p(4.2))

    # Baseline UPCR: uc-MSC 2.0 2.4 3.0 1.6 -> mean 2.25, SD √(1.07/3) = 0.597; placebo 2.2 2.6 1.8 3.4 ->
    # mean 2.50, SD √(1.40/3) = 0.683. Welch t = −0.25 / √(0.35667/4 + 0.46667/4) = −0.551.
    upcr = next(row for row in r.baseline if str(row[0]).startswith("UPCR"))
    assert upcr[1] == {"msc": "2.25 ± 0.60", "placebo": "2.50 ± 0.68"}
    assert upcr[2].statistic == pytest.approx(-0.25 / math.sqrt((1.07 / 3 + 1.4 / 3) / 4), rel=1e-6)

    # Overall survival: one placebo death at day 240, everyone else censored later; all 8 at risk then.
    # Log-rank: O(msc) = 0, E = 4/8 = 0.5, V = 4·4·1·7/(8²·7) = 0.25 -> X² = 0.25/0.25 = 1.
    os_figure = next(f for f in survival_figures(r) if f.key == "os")
    assert os_figure.logrank.statistic == pytest.approx(1.0)
    assert os_figure.logrank.p == pytest.approx(chi2_1df_p(1.0)) and os_figure.logrank.p_text == ".317"
    assert set(os_figure.medians.values()) == {None}  # S(t) never falls to 0.5 (placebo 3/4)

    assert dict(r.ae_by_grade["msc"]) == {3: 1} and dict(r.ae_by_grade["placebo"]) == {2: 1, 3: 1}
    assert {g: len(s) for g, s in r.sae_participants.items()} == {"placebo": 1}

    # The page and the PDF print the same figures.
    stat = client_for(factories.make_user(roles.STATISTICIAN, site))
    page = stat.get(reverse("analysis_report")).content.decode()
    assert 'data-response="6-msc">4 / 4' in page and 'data-response="12-placebo">1 / 4' in page
    assert ".029" in page and ".143" in page and ".317" in page and "2.25 ± 0.60" in page
    response = stat.get(reverse("analysis_report_pdf"))
    assert response["Content-Type"] == "application/pdf"
    pdf = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    for figure in ("4 / 4 (100.0 %)", "1 / 4 (25.0 %)", ".029", ".143", ".317", "2.25 ± 0.60", "2.50 ± 0.68"):
        assert figure in pdf, figure
