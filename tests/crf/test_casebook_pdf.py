"""The blank CRF book and the filled casebook PDFs: every form, the data with its queries, source-data
verification and signature manifestations (21 CFR 11.50), never the arm, a bounded number of queries,
and site isolation."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from crf import registry
from crf.casebook_pdf import blank_crf_book_pdf, casebook_pdf
from crf.models.quality import SIGNATURE_MEANING
from crf.services import queries, review
from crf.services.entry import save_crf
from edc import roles
from edc.models import Participant
from edc.selectors.audit_trail import audited_models
from tests import factories
from tests.crf import helpers as h

pytestmark = pytest.mark.django_db
ARM_LABELS = ("uc-MSC arm", "Placebo arm", "脐带间充质干细胞组", "安慰剂组")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(value: str) -> str:
    """Whitespace removed, so line wrapping cannot hide a phrase."""
    return re.sub(r"\s+", "", value)


@pytest.fixture
def p(site, clinician):
    return h.past_participant(site, clinician)


@pytest.fixture
def monitor(site):
    return factories.make_user(roles.MONITOR, site)


@pytest.fixture
def pi(site):
    return factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)


@pytest.fixture
def labs(p, clinician):
    v = h.visit(p, "m0")
    panel, _ = h.save("labs", v, clinician, acknowledge=True, **h.lab_values(v))
    return panel


@pytest.fixture
def reviewed(p, labs, clinician, monitor, pi):
    """m0 labs with an answered query, verified, and the casebook signed by the PI."""
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="creatinine_value",
                            text="Please confirm creatinine against the hospital report")
    queries.answer_query(q, user=clinician, text="Confirmed against the report of the central lab")
    review.verify(labs, user=monitor)
    review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="crf", visit=labs.visit, obj=labs,
                crf_key="labs")
    labs.refresh_from_db()
    return labs


def casebook_text(p, reader, language: str = "en") -> str:
    with translation.override(language):
        data = casebook_pdf(Participant.objects.select_related("site").get(pk=p.pk), reader=reader)
    assert data.startswith(b"%PDF")
    return pdf_text(data)


def test_the_blank_book_has_the_schedule_and_a_section_for_every_registered_form():
    with translation.override("en"):
        data = blank_crf_book_pdf()
        labels = [str(t.label) for t in registry.ordered()]
    text = flat(pdf_text(data))
    assert flat("Schedule of assessments") in text and flat("Protocol version 1.0, 2023-05-20") in text
    for number, label in enumerate(labels, 1):
        assert flat(f"{number}. {label}") in text, label
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2 + len(labels)  # cover, schedule, a page per form
    # Every field, with its choices as boxes to tick, booleans as yes/no and help text.
    for expected in ("Sample date", "Urinary casts", "[ ] Red-cell casts", "[ ] Yes [ ] No", "Seizure (8)",
                     "Recent onset", "Drug name", "Date of death"):
        assert flat(expected) in text, expected
    assert not any(flat(arm) in text for arm in ARM_LABELS)


def test_the_blank_book_prints_chinese_in_the_embedded_font():
    with translation.override("zh-hans"):
        data = blank_crf_book_pdf()
        vitals = str(registry.get("vitals").label)
    assert vitals == "生命体征"
    text = flat(pdf_text(data))
    assert vitals in text and "测量日期" in text and flat("[ ] 是 [ ] 否") in text
    base_fonts = re.findall(rb"/BaseFont\s*/([^\s/\]>]+)", data)
    assert base_fonts and all(b"WenQuanYi" in name for name in base_fonts)


def test_the_casebook_shows_data_queries_verification_and_signature(p, reviewed, monitor, pi, clinician):
    text = flat(casebook_text(p, clinician))
    for expected in (p.participant_code, p.randomization.blind_code, p.site.name, "Laboratory panel",
                     "eGFR CKD-EPI 2021", str(reviewed.egfr), "µmol/L",
                     "Please confirm creatinine against the hospital report",
                     "Confirmed against the report of the central lab", "Answered",
                     f"Source data verified by {monitor.printed_name}",
                     f"Electronically signed by {pi.printed_name}", f"meaning: {SIGNATURE_MEANING}",
                     f"Printed by / 打印人: {clinician.printed_name}", "Appendix: audit trail",
                     "Query answered"):
        assert flat(expected) in text, expected
    assert "invalidated" not in text


def test_a_later_change_shows_the_signature_invalidated_with_the_reason(p, reviewed, clinician):
    reviewed.platelets_10e9_l = Decimal("140")
    save_crf(registry.get("labs"), reviewed, visit=reviewed.visit, user=clinician,
             reason="lab re-issued the report", acknowledge=True)
    text = flat(casebook_text(p, clinician))
    assert flat("Signature invalidated") in text and flat("lab re-issued the report") in text
    assert flat("changed since verification") in text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_casebook_never_shows_the_arm(p, reviewed, clinician, language):
    factories.prepared_bag(p)  # the pharmacy record is in the audit trail, its blinded fields are not
    text = flat(casebook_text(p, clinician, language))
    assert p.participant_code in text
    for arm in ARM_LABELS:
        assert flat(arm) not in text, arm
    assert "LOT-1" not in text  # BagPreparation.blinded_fields


def _long_participant(site, clinician):
    """Randomized five years and a month ago: every visit m0...m60 lies in the past."""
    with time_machine.travel(timezone.now() - timedelta(days=5 * 365 + 40), tick=False):
        return h.participant(site, clinician)


def _forms_at(p, codes, user):
    for code in codes:
        v = h.visit(p, code)
        h.save("vitals", v, user, acknowledge=True, **h.vitals_values(v))
        h.save("labs", v, user, acknowledge=True, **h.lab_values(v))


def _count(p, reader) -> int:
    fresh = Participant.objects.select_related("site").get(pk=p.pk)  # as the view loads it
    with CaptureQueriesContext(connection) as ctx:
        casebook_pdf(fresh, reader=reader)
    return len(ctx.captured_queries)


def test_the_casebook_is_built_with_a_fixed_number_of_queries(site, clinician, monitor, pi,
                                                              django_assert_max_num_queries):
    p = _long_participant(site, clinician)
    assert h.visit(p, "m60")
    _forms_at(p, ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"], clinician)
    labs = registry.get("labs").model.objects.get(visit=h.visit(p, "m3"))
    q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="", text="Check the sample date")
    queries.answer_query(q, user=clinician, text="Correct as entered")
    review.verify(labs, user=monitor)
    review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="crf", visit=labs.visit, obj=labs,
                crf_key="labs")
    casebook_pdf(Participant.objects.select_related("site").get(pk=p.pk), reader=clinician)  # warm caches

    # Measured: 64 = 2 per form type (the forms, then the signed forms for their status, as
    # crf.services.review.review_context reads them) + 1 per audited history table + 9 (allocation's
    # blind code, visits, queries, their messages, locks, signatures twice, users twice).
    bound = 2 * len(registry.REGISTRY) + len(audited_models()) + 9
    # 62, +1 since unblinding requests are audited, +1 since the hospital record number is (lab import)
    assert bound == 64
    fresh = Participant.objects.select_related("site").get(pk=p.pk)
    with django_assert_max_num_queries(bound):
        casebook_pdf(fresh, reader=clinician)
    ten_visits = _count(p, clinician)

    _forms_at(p, ["m10", "m11", "m12", "m24", "m36"], clinician)
    more = registry.get("labs").model.objects.get(visit=h.visit(p, "m24"))
    q = queries.raise_query(more, crf_key="labs", user=monitor, field_name="upcr_value", text="UPCR unit?")
    queries.answer_query(q, user=clinician, text="g/g as reported")
    review.sign(user=pi, password=factories.PASSWORD, participant=p, scope="crf", visit=more.visit, obj=more,
                crf_key="labs")
    assert _count(p, clinician) == ten_visits


def test_views_serve_the_pdfs_within_the_site_only(p, clinician, other_clinician, client_for):
    own = client_for(clinician)
    response = own.get(reverse("casebook_pdf", args=[p.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert p.participant_code in flat(pdf_text(response.content))
    book = own.get(reverse("crf_book"))
    assert book.status_code == 200 and book.content.startswith(b"%PDF")
    assert client_for(other_clinician).get(reverse("casebook_pdf", args=[p.pk])).status_code == 404


def test_roles_outside_the_site_staff_are_refused(p, site, client_for):
    pharmacist = factories.make_user(roles.PHARMACIST, site)  # unblinded: never reads casebooks
    assert client_for(pharmacist).get(reverse("casebook_pdf", args=[p.pk])).status_code == 403
    assert client_for(pharmacist).get(reverse("crf_book")).status_code == 403
