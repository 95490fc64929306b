"""AE and SAE forms (safety/) and the data-quality forms (crf/: raise, answer, close and re-open a query;
verify, sign, lock), fuzzed through the real pages: never 500, a refused post writes nothing."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from crf.forms_review import AnswerQueryForm, RaiseQueryForm, ReviewerNoteForm, SignForm, UnlockForm
from crf.models import LabPanel
from crf.services import queries
from edc import roles
from safety import forms as safety_forms
from tests import factories
from tests.crf import helpers as h
from tests.fuzz.conftest import fuzz_client
from tests.fuzz.db import fuzz_page, posted
from tests.fuzz.strategies import fuzz, nasty_text
from tests.safety.helpers import SHANGHAI, ae_values, report_sae

pytestmark = pytest.mark.django_db


def _local(moment) -> str:
    return timezone.localtime(moment, SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def ae_post(today, **overrides) -> dict:
    data = {k: v for k, v in ae_values(onset_date=today).items() if v not in (None, False)}
    data.update({"expected": "False"}, **overrides)
    return h.form_data(data)


def test_ae_form_new_ae_and_new_sae(trial, clinician_client):
    url = reverse("ae_new", args=[trial.p.pk])
    form = safety_forms.AdverseEventForm()
    fuzz_page(clinician_client, url, ae_post(trial.today), form=form, today=trial.today, examples=20)
    sae = ae_post(trial.today, hospitalisation="on", aware_at=_local(timezone.now() - timedelta(minutes=30)),
                  narrative="Pneumonia, admitted")
    fuzz_page(clinician_client, url, sae, form=form, today=trial.today, examples=20)


def test_a_non_serious_ae_from_the_form_opens_its_page(trial, clinician_client):
    """Regression (found by the fuzzer): the redirect after a non-serious AE named the wrong URL argument,
    so every non-serious AE entered on the page answered 500 after it was saved."""
    from safety.models import AdverseEvent

    response = posted(clinician_client, reverse("ae_new", args=[trial.p.pk]), ae_post(trial.today))
    assert response.status_code == 302
    assert response["Location"].startswith("/ae/") and not AdverseEvent.objects.exists()  # rolled back


def test_ae_edit_and_open_sae_forms(trial, clinician_client):
    ae = report_sae(trial.p, trial.clinician, timezone.now() - timedelta(hours=2))
    from safety.services.adverse_events import record_ae, update_ae
    # A second AE, recorded non-serious and made serious later: the page offers to open its SAE case.
    later = record_ae(trial.p, user=trial.clinician, **ae_values(onset_date=trial.today))
    update_ae(later, user=trial.clinician, reason="admitted", hospitalisation=True)
    edit = {**ae_post(trial.today, hospitalisation="on"), "reason_for_change": "grade corrected", "grade": "2"}
    fuzz_page(clinician_client, reverse("ae_detail", args=[ae.pk]), edit,
              form=safety_forms.AdverseEventEditForm(instance=ae), today=trial.today, examples=20)
    open_sae = {"open_sae": "1", "aware_at": _local(timezone.now() - timedelta(hours=1)), "narrative": "Worse"}
    fuzz_page(clinician_client, reverse("ae_detail", args=[later.pk]), open_sae,
              form=safety_forms.OpenSaeForm(), today=trial.today, examples=15)


def test_sae_follow_up_and_obligation_forms(trial, clinician_client):
    case = report_sae(trial.p, trial.clinician, timezone.now() - timedelta(hours=2)).sae
    fuzz_page(clinician_client, reverse("sae_detail", args=[case.pk]), {"content": "Discharged on day 5"},
              form=safety_forms.FollowUpForm(), today=trial.today, examples=10)
    obligation = case.obligations.order_by("due_at").first()
    meet = {"met_at": _local(timezone.now() - timedelta(hours=1)), "how": "e-mail", "reference": "R1"}
    fuzz_page(clinician_client, reverse("obligation_meet", args=[obligation.pk]), meet,
              form=safety_forms.MeetObligationForm(), today=trial.today, examples=15)


# --- queries ---------------------------------------------------------------------------------------

@pytest.fixture
def monitor(trial):
    return factories.make_user(roles.MONITOR, trial.p.site)


@pytest.fixture
def labs(trial):
    return LabPanel.objects.get(visit=trial.m6)


def test_raise_query_form(trial, monitor, labs):
    from crf import registry
    from crf.selectors import field_choices

    form = RaiseQueryForm(field_choices=field_choices(registry.get("labs")))
    valid = {"field_name": "alt_u_l", "text": "Check ALT against the source", "due_date": ""}
    fuzz_page(fuzz_client(monitor), reverse("crf_raise_query", args=["labs", labs.pk]), valid, form=form,
              today=trial.today, examples=20)


def _query(labs, monitor, field="alt_u_l"):
    return queries.raise_query(labs, crf_key="labs", user=monitor, field_name=field, text="Check the value")


def test_answer_query_form_with_a_corrected_value(trial, clinician_client, monitor, labs):
    q = _query(labs, monitor)
    url = reverse("query_detail", args=[q.pk])
    valid = {"action": "answer", "text": "Corrected from the lab report", "new_value": "31"}
    fuzz_page(clinician_client, url, valid, form=AnswerQueryForm(), today=trial.today, examples=25)


@fuzz(15)
@given(field=st.sampled_from(["", "alt_u_l", "upcr_value", "upcr_unit", "sample_date", "creatinine_value",
                              "urinary_casts"]),
       new_value=st.one_of(nasty_text, st.sampled_from(["31", "0", "-5", "mg/g", "2024-01-01", "red_cell"])),
       closed=st.booleans(), who=st.sampled_from(["clinician", "monitor"]))
@example(field="alt_u_l", new_value="31", closed=True, who="clinician")  # answer refused after the save
@example(field="alt_u_l", new_value="31", closed=False, who="monitor")  # a read-only role "answering"
def test_a_refused_answer_never_keeps_its_correction(trial, monitor, labs, field, new_value, closed, who):
    """Regression: the correction was saved before answer_query refused (closed query, or a monitor, who
    may not enter data, answering): the form changed with no answer recorded."""
    user = trial.clinician if who == "clinician" else monitor

    def setup():
        q = _query(labs, monitor, field)
        if closed:
            queries.close_query(q, user=monitor, text="ok")
        return reverse("query_detail", args=[q.pk])

    posted(fuzz_client(user), "", {"action": "answer", "text": "see source", "new_value": new_value}, setup=setup)


def test_close_and_reopen_query_forms(trial, monitor, labs):
    q = _query(labs, monitor)
    url = reverse("query_detail", args=[q.pk])
    c = fuzz_client(monitor)
    fuzz_page(c, url, {"action": "close", "text": "Resolved"}, form=ReviewerNoteForm(), today=trial.today,
              extra=["new_value"], examples=10)
    queries.close_query(q, user=monitor, text="ok")
    fuzz_page(c, url, {"action": "reopen", "text": "Source disagrees"}, form=ReviewerNoteForm(), today=trial.today,
              examples=10)


def test_verify_sign_and_lock_forms(trial, monitor, labs):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, trial.p.site)
    dm = factories.make_user(roles.DATA_MANAGER, trial.p.site)
    fuzz_page(fuzz_client(monitor), reverse("crf_verify", args=["labs", labs.pk]), {"fields": "alt_u_l"},
              today=trial.today, examples=8)
    sign = {"password": factories.PASSWORD}
    fuzz_page(fuzz_client(pi), reverse("crf_sign", args=["labs", labs.pk]), sign, form=SignForm(),
              today=trial.today, examples=8)
    fuzz_page(fuzz_client(pi), reverse("sign_visit", args=[trial.p.pk, trial.m6.pk]), sign, form=SignForm(),
              today=trial.today, examples=8)
    fuzz_page(fuzz_client(dm), reverse("crf_lock", args=["labs", labs.pk]), {}, today=trial.today, examples=5)
    fuzz_page(fuzz_client(dm), reverse("lock_casebook", args=[trial.p.pk]), {}, today=trial.today, examples=5)
    fuzz_page(fuzz_client(dm), reverse("database_lock"), {"text": "Final"}, form=ReviewerNoteForm(),
              today=trial.today, examples=5)
    from crf.models import Scope
    from crf.services import locks
    locks.lock(scope=Scope.DATABASE, user=dm, reason="Final")
    fuzz_page(fuzz_client(dm), reverse("database_lock"), {"reason": "Late query"}, form=UnlockForm(),
              today=trial.today, examples=8)
