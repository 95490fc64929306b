"""The per-participant audit trail: who, when (site time), what (old -> new), why."""
import pytest
from django.urls import reverse

from edc.selectors.audit_trail import participant_audit_trail
from tests import factories

pytestmark = pytest.mark.django_db


def test_it_lists_creation_and_each_change_with_its_reason(site, clinician):
    p = factories.screen(site, clinician, initials="AB")
    factories.consent(p, clinician)
    factories.screening_svc.update_screening(p, user=clinician, reason="initials misread",
                                             initials="AD")
    entries = participant_audit_trail(p)
    records = [(e.record, e.action) for e in entries]
    assert records == [("participant", "created"), ("informed consent", "created"),
                       ("participant", "changed")]
    change = entries[-1]
    assert change.reason == "initials misread" and change.who == clinician.printed_name
    assert [(c.field, c.old, c.new) for c in change.changes] == [("initials", "AB", "AD")]


def test_the_page_shows_times_in_beijing_time(site, clinician, client_for):
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    p = factories.screen(site, clinician)
    factories.screening_svc.update_screening(p, user=clinician, reason="fix", initials="QQ")
    r = client_for(clinician).get(reverse("participant_audit", args=[p.pk]))
    stamp = timezone.localtime(p.history.first().history_date, ZoneInfo("Asia/Shanghai"))
    assert stamp.strftime("%Y-%m-%d %H:%M").encode() in r.content
    assert b"fix" in r.content and b"initials: ZXM \xe2\x86\x92 QQ" in r.content


def test_the_trail_reads_each_history_table_once(site, clinician, django_assert_max_num_queries):
    from edc.selectors.audit_trail import audited_models
    p = factories.enrolled_participant(site, clinician)
    for n in range(10):
        factories.screening_svc.update_screening(p, user=clinician, reason=f"fix {n}",
                                                 initials="AB" if n % 2 else "CD")
    # one query per audited table and one for the users' names, whatever the number of changes
    with django_assert_max_num_queries(len(audited_models()) + 1):
        entries = participant_audit_trail(p)
    assert len(entries) >= 14
