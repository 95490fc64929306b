"""Query budgets: every list page and dashboard runs a fixed number of queries, whatever
the number of rows it shows.

Each page is measured for one role at a small trial and again after adding 5-10 times the rows it lists;
the two counts must be equal (no N+1), and equal to the budget below (the measured number, so that any
change shows up here and is decided on purpose). Existing budgets elsewhere: the worklist for 10 vs 200
participants (tests/crf/test_visits.py), the participant list for 1 vs 6 (tests/edc/test_dashboard.py),
the audit-trail selector (tests/edc/test_audit_trail.py), the casebook PDF (tests/crf/test_casebook_pdf.py),
the analysis sets (tests/exports/test_analysis_sets.py); here they are pages, with absolute budgets.
"""
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crf import registry
from crf.models import Scope
from crf.services import locks, queries, review
from edc import roles
from tests import factories
from tests.crf import helpers as h
from tests.safety.helpers import ae_values, report_sae

pytestmark = pytest.mark.django_db
THERAPIES = ["gc_mpaa", "gc_cyc", "gc_belimumab", "gc_mpaa_cni"]

# The read-access log (edc.read_log): a page that reads a participant's data, an export download or an API
# dataset writes its rows in ONE statement at the end of the request, whatever it read.
READ_LOG = 1
# Export scope (exports.scope): the trial-wide grant and the user's sites, read in one query.
EXPORT_SCOPE = 1
# No page counts a session write: a signed-in request rewrites the session at most once a minute
# (edc.middleware; docs/WORKFLOW.md "Nothing a user typed is lost"), and count_queries' warm-up request
# just did. Each budget below was 3 more when every request wrote it (SAVEPOINT, UPDATE, RELEASE).

# (page, role) -> queries. A page listed under several roles runs role-specific parts (cards, panels).
TRIAL_PAGES: dict[tuple[str, str], int] = {
    **{("home", role): 8 for role in roles.ALL_ROLES},  # + where participants are (lifecycle counts)
    ("home", roles.PRINCIPAL_INVESTIGATOR): 10,  # + the safety card: open SAE cases and their obligations
    ("participant_list", roles.CLINICIAN): 5,  # with the lifecycle status (subqueries of the one list query)
    ("participant_list", roles.COORDINATOR): 5,
    ("participant_list", roles.MONITOR): 5,
    ("participant_list?q", roles.CLINICIAN): 5,
    ("worklist", roles.COORDINATOR): 8,  # three lists, each paged: a count and a page each
    ("worklist_print", roles.COORDINATOR): 6,
    ("worklist_csv", roles.COORDINATOR): 5,
    ("visit_calendar", roles.COORDINATOR): 4,
    ("query_list", roles.MONITOR): 5,
    ("query_list?all", roles.CLINICIAN): 5,
    ("safety_dashboard", roles.PRINCIPAL_INVESTIGATOR): 8,  # AE listing, open SAE cases, alerts, undelivered
    ("safety_dashboard", roles.CLINICIAN): 8,
    ("inbox", roles.PRINCIPAL_INVESTIGATOR): 4,
    ("pharmacy_worklist", roles.PHARMACIST): 5,
    ("allocation_overview", roles.RANDOMIZATION_ADMIN): 9,
    ("allocation_download", roles.RANDOMIZATION_ADMIN): 4,
    ("export_home", roles.STATISTICIAN): 5 + EXPORT_SCOPE,  # the export log (own runs unless trial-wide)
    ("api_token", roles.STATISTICIAN): 4,
    ("database_lock", roles.DATA_MANAGER): 5,
    ("analysis_report", roles.STATISTICIAN): 15,
    ("api participants", "api"): 10 + EXPORT_SCOPE + READ_LOG,
    ("api response", "api"): 5 + EXPORT_SCOPE + READ_LOG,
    ("api adverse_events", "api"): 4 + EXPORT_SCOPE + READ_LOG,
    **{(f"api crf_{key}", "api"): 4 + EXPORT_SCOPE + READ_LOG
       for key in ("vitals", "labs", "sledai", "bilag", "response", "biospecimen", "pregnancy", "infusion",
                   "prednisone", "conmeds", "biopsy", "deviation", "discontinuation", "death")},
    # one COPY of the dataset's SQL, whatever the number of panels (exports/copy_csv.py)
    ("api lab_value_sources", "api"): 4 + EXPORT_SCOPE + READ_LOG,
}
PARTICIPANT_PAGES: dict[tuple[str, str], int] = {
    # + the data entry of each visit (one UNION ALL); + the hospital record number panel (labs)
    **{("participant_detail", role): 18 + READ_LOG
       for role in (roles.CLINICIAN, roles.PRINCIPAL_INVESTIGATOR, roles.MONITOR, roles.DATA_MANAGER)},
    ("schedule_grid", roles.COORDINATOR): 14 + READ_LOG,
    ("visit_detail m0", roles.CLINICIAN): 13 + READ_LOG,
    # one query per audited history table (+ users): +1 the hospital record number (labs), +1 unblinding requests
    ("participant_audit", roles.MONITOR): 32 + READ_LOG,
    ("participant_audit_csv", roles.MONITOR): 31 + READ_LOG,
    ("crf_audit labs", roles.MONITOR): 34 + READ_LOG,
    # the form with its review panel: signatures, queries, messages; and where its values came from (labs)
    ("visit_crf labs", roles.MONITOR): 16 + READ_LOG,
    ("crf_print labs", roles.MONITOR): 7 + READ_LOG,
    # +1 since a new row's page asks whether the casebook or database is locked (shown read-only, with why)
    ("log_crf prednisone", roles.CLINICIAN): 6 + READ_LOG,
    ("log_crf conmeds", roles.CLINICIAN): 6 + READ_LOG,
    ("sae_detail", roles.PRINCIPAL_INVESTIGATOR): 7 + READ_LOG,  # + the alert log (+2 prefetches once alerts exist)
    ("sae_report_pdf", roles.PRINCIPAL_INVESTIGATOR): 5,
    ("ae_detail", roles.CLINICIAN): 5 + READ_LOG,
    ("query_detail", roles.MONITOR): 6 + READ_LOG,
    ("query_list?participant", roles.MONITOR): 5,
}
UNBLINDING_PAGES: dict[tuple[str, str], int] = {
    # +1: the INSERT that logs this view of the revealed arm (ArmDisclosure, docs/ACCESS_CONTROL.md)
    ("unblinding_result", roles.PRINCIPAL_INVESTIGATOR): 12 + READ_LOG,
    ("unblinding_record", roles.PRINCIPAL_INVESTIGATOR): 11 + READ_LOG,  # was 1 more per in-app-only recipient
}


def count_queries(client, url: str, rows=None, headers=None) -> tuple[int, int | None]:
    """(queries of one GET of `url`, rows the page shows by `rows(response)`)."""
    client.get(url, headers=headers)  # warm: session, role and content-type caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
        body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(ctx), (rows(response, body) if rows else None)


def measure(clients: dict, pages: dict) -> dict[tuple[str, str], tuple[int, int | None]]:
    return {(name, role): count_queries(clients[role], *target) for (name, role), target in pages.items()}


def compare(small: dict, big: dict, budgets: dict) -> None:
    """One assertion for all pages, so a failure lists every page that changed. A page that counts its rows
    must show more of them in the big trial (else its budget would prove nothing)."""
    bad = []
    for (name, role), (queries_small, rows_small) in small.items():
        queries_big, rows_big = big[(name, role)]
        budget = budgets.get((name, role))
        if budget is not None and role in roles.TWO_FACTOR_ROLES:
            budget += 1  # django_otp's middleware loads the session's verified device
        if queries_small != queries_big or queries_small != budget or (
                rows_small is not None and not rows_big > rows_small):
            bad.append(f"{name:28} {role:24} queries {queries_small:3} -> {queries_big:3} (budget {budget}),"
                       f" rows {rows_small} -> {rows_big}")
    assert not bad, "query budgets broken:\n" + "\n".join(bad)


def ctx_len(*names):
    """Rows shown: the summed lengths of these context entries ("page" counts its object_list)."""
    def rows(response, body):
        total = 0
        for name in names:
            value = response.context[name]
            total += len(value.object_list if hasattr(value, "object_list") else value)
        return total
    return rows


def lines(response, body) -> int:
    return body.count(b"\n")


def worklist_rows(response, body) -> int:
    """The visits listed on the worklist (each list a page of at most 25) or its print view."""
    return sum(len(rows) for _key, _title, rows in response.context["tables"])


def calendar_visits(response, body) -> int:
    return sum(len(visits) for week in response.context["weeks"] for _, visits, _ in week)


def api_key(statistician) -> str:
    import hashlib
    import secrets

    from exports.models import ApiToken

    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=statistician, key_sha256=hashlib.sha256(key.encode()).hexdigest())
    return key


# --- pages whose rows are participants (and their AEs, queries, alerts, bags, runs) ----------------

class Trial:
    def __init__(self, site, clinician, users):
        self.site, self.clinician, self.users = site, clinician, users
        self.participants = []

    def add(self, n: int) -> None:
        """n more randomized participants, each with a month-0 lab panel and a query on it, a non-serious
        AE and an SAE (with its alerts), a prepared month-0 bag; n more in screening and n screen failures;
        n export runs, API tokens and database lock/unlock pairs."""
        from exports.models import ApiToken, ExportRun
        from safety.services.adverse_events import record_ae
        from safety.services.obligations import sweep

        for _ in range(n):
            i = len(self.participants)
            p = factories.randomized_participant(self.site, self.clinician, prior_therapy=THERAPIES[i % 4])
            m0 = h.visit(p, "m0")
            labs, _w = h.save("labs", m0, self.clinician, acknowledge=True, **h.lab_values(m0))
            queries.raise_query(labs, crf_key="labs", user=self.users[roles.MONITOR], field_name="alt_u_l",
                                text="Check ALT")
            record_ae(p, user=self.clinician, **ae_values(onset_date=timezone.localdate()))
            report_sae(p, self.clinician, timezone.now() - timedelta(hours=1))
            factories.prepared_bag(p, "m0")
            statistician = self.users[roles.STATISTICIAN]  # runs of their own sites: they see them
            ExportRun.objects.create(requested_by=statistician,
                                     site_ids=sorted(statistician.sites.values_list("pk", flat=True)))
            ApiToken.objects.create(user=self.users[roles.STATISTICIAN], key_sha256=f"{i:064d}")
            screened = factories.screen(self.site, self.clinician)  # the screening log's other states
            factories.consent(screened, self.clinician)
            failed = factories.screen(self.site, self.clinician)
            factories.screening_svc.record_screen_failure(failed, user=self.clinician, reason_code="other",
                                                          note="moved away")
            dm = self.users[roles.DATA_MANAGER]
            locks.unlock(locks.lock(scope=Scope.DATABASE, user=dm, reason="interim"), user=dm, reason="go on")
            self.participants.append(p)
        sweep()


def trial_pages(key: str) -> dict[tuple[str, str], tuple]:
    """(page, role) -> (url, how to count the rows it shows, or None for a page of counts only)."""
    pages = {("home", role): (reverse("home"), None) for role in roles.ALL_ROLES}
    for role in (roles.CLINICIAN, roles.COORDINATOR, roles.MONITOR):
        pages[("participant_list", role)] = (reverse("participant_list"), ctx_len("page"))
    safety = ctx_len("aes", "cases", "inbox")
    pages.update({
        ("participant_list?q", roles.CLINICIAN): (reverse("participant_list") + "?status=randomized&q=BJ&sort=status",
                                                  ctx_len("page")),
        ("worklist", roles.COORDINATOR): (reverse("worklist"), worklist_rows),
        ("worklist_print", roles.COORDINATOR): (reverse("worklist_print"), worklist_rows),
        ("worklist_csv", roles.COORDINATOR): (reverse("worklist_csv"), lines),
        ("visit_calendar", roles.COORDINATOR): (reverse("visit_calendar"), calendar_visits),
        ("query_list", roles.MONITOR): (reverse("query_list"), ctx_len("rows")),
        ("query_list?all", roles.CLINICIAN): (reverse("query_list") + "?status=all", ctx_len("rows")),
        ("safety_dashboard", roles.PRINCIPAL_INVESTIGATOR): (reverse("safety_dashboard"), safety),
        ("safety_dashboard", roles.CLINICIAN): (reverse("safety_dashboard"), safety),
        ("inbox", roles.PRINCIPAL_INVESTIGATOR): (reverse("inbox"), ctx_len("notes")),
        ("pharmacy_worklist", roles.PHARMACIST): (reverse("pharmacy_worklist"), ctx_len("tasks")),
        ("allocation_overview", roles.RANDOMIZATION_ADMIN): (reverse("allocation_overview"), None),
        ("allocation_download", roles.RANDOMIZATION_ADMIN): (reverse("allocation_download"), None),
        ("export_home", roles.STATISTICIAN): (reverse("export_home"), ctx_len("runs")),
        ("api_token", roles.STATISTICIAN): (reverse("api_token"), ctx_len("tokens")),
        ("database_lock", roles.DATA_MANAGER): (reverse("database_lock"), ctx_len("history")),
        ("analysis_report", roles.STATISTICIAN): (reverse("analysis_report"), None),
    })
    # The statistician's API streams every dataset (blinded); "api" is a client with a token, not a role.
    from exports.datasets import all_datasets
    growing = {"participants", "response", "adverse_events", "crf_labs"}
    for d in all_datasets():
        pages[(f"api {d.name}", "api")] = (reverse("api_dataset", args=[d.name]),
                                           lines if d.name in growing else None, {"Authorization": f"Token {key}"})
    return pages


def test_trial_wide_pages_run_a_fixed_number_of_queries(site, clinician, users_by_role, client_for):
    factories.strata_and_list()
    trial = Trial(site, clinician, {**users_by_role, roles.CLINICIAN: clinician})
    clients = {role: client_for(user) for role, user in trial.users.items()}
    clients["api"] = Client()
    pages = trial_pages(api_key(trial.users[roles.STATISTICIAN]))
    trial.add(2)
    small = measure(clients, pages)
    trial.add(10)  # 6x the participants (and their AEs, SAEs, alerts, queries, bags, runs, tokens)
    big = measure(clients, pages)
    compare(small, big, TRIAL_PAGES)


# --- pages of one participant: rows are its visits, forms, log rows, AEs, queries, history --------

class OneParticipant:
    def __init__(self, site, clinician, users):
        self.clinician, self.users = clinician, users
        self.p = h.past_participant(site, clinician)
        factories.prepared_bag(self.p, "m0")
        self.labs0 = None
        self.sae = report_sae(self.p, clinician, timezone.now() - timedelta(hours=2)).sae
        self.visits = 0
        self.query = None

    def add(self, n: int) -> None:
        """Forms at n more past visits, n more log rows of each kind, n AEs, n queries (answered), n SAE
        follow-ups, n signatures and corrections of the month-0 labs (history, invalidated signatures)."""
        from safety.services.adverse_events import add_follow_up, record_ae

        codes = [f"m{m}" for m in range(0, 13)]
        monitor = self.users[roles.MONITOR]
        for _ in range(n):
            v = h.visit(self.p, codes[self.visits])
            self.visits += 1
            labs, _w = h.save("labs", v, self.clinician, acknowledge=True, **h.lab_values(v))
            h.save("vitals", v, self.clinician, acknowledge=True, **h.vitals_values(v))
            if self.labs0 is None:
                self.labs0 = labs
            else:  # signed, then corrected: the signature is invalidated and both stay listed
                review.sign(user=self.users[roles.PRINCIPAL_INVESTIGATOR], password=factories.PASSWORD,
                            participant=self.p, scope=Scope.CRF, visit=self.labs0.visit, obj=self.labs0,
                            crf_key="labs")
                self.labs0.alt_u_l += 1
                h.save("labs", h.visit(self.p, "m0"), self.clinician, instance=self.labs0, acknowledge=True,
                       reason="transcription")
            day = h.day_of(v)
            for key, values in (("prednisone", {"start_date": day, "dose_mg_day": 20, "weight_kg": 60}),
                                ("conmeds", {"drug_name": f"Drug {self.visits}", "category": "antihypertensive",
                                             "start_date": day, "indication": "Hypertension"})):
                crf_type = registry.get(key)
                row = crf_type.model(participant=self.p, **values)
                from crf.services.entry import save_crf
                save_crf(crf_type, row, visit=None, user=self.clinician, acknowledge=True)
            q = queries.raise_query(labs, crf_key="labs", user=monitor, field_name="alt_u_l", text="Check")
            queries.answer_query(q, user=self.clinician, text="as per source")
            if self.query is None:
                self.query = queries.raise_query(self.labs0, crf_key="labs", user=monitor, field_name="",
                                                 text="again")
            else:  # the same query, three more messages
                queries.close_query(self.query, user=monitor, text="ok")
                queries.reopen_query(self.query, user=monitor, text="not yet")
            queries.answer_query(self.query, user=self.clinician, text="ok")
            record_ae(self.p, user=self.clinician, **ae_values(onset_date=day, term=f"Event {self.visits}"))
            add_follow_up(self.sae, user=self.clinician, content=f"Follow-up {self.visits}")


def aes_on_panel(response, body) -> int:
    return sum(len(ctx.get("aes", ())) for _, ctx in response.context["panels"])


def saved_cells(response, body) -> int:
    return sum(1 for _, cells in response.context["rows"] for _, _, obj in cells if obj is not None)


def signatures_and_queries(response, body) -> int:
    review_panel = response.context["review"]
    return len(review_panel["signatures"]) + sum(q.messages.count() for q in review_panel["queries"])


def participant_pages(x: OneParticipant) -> dict[tuple[str, str], tuple]:
    p, m0 = x.p, h.visit(x.p, "m0")
    pages = {}
    for role in (roles.CLINICIAN, roles.PRINCIPAL_INVESTIGATOR, roles.MONITOR, roles.DATA_MANAGER):
        pages[("participant_detail", role)] = (reverse("participant_detail", args=[p.pk]), aes_on_panel)
    pages.update({
        ("schedule_grid", roles.COORDINATOR): (reverse("schedule_grid", args=[p.pk]), saved_cells),
        ("visit_detail m0", roles.CLINICIAN): (reverse("visit_detail", args=[m0.pk]), None),
        ("participant_audit", roles.MONITOR): (reverse("participant_audit", args=[p.pk]), ctx_len("entries")),
        ("participant_audit_csv", roles.MONITOR): (reverse("participant_audit_csv", args=[p.pk]), lines),
        ("crf_audit labs", roles.MONITOR): (reverse("crf_audit", args=["labs", x.labs0.pk]), lines),
        ("visit_crf labs", roles.MONITOR): (reverse("visit_crf", args=[m0.pk, "labs"]), signatures_and_queries),
        ("crf_print labs", roles.MONITOR): (reverse("crf_print", args=[m0.pk, "labs"]), None),
        ("log_crf prednisone", roles.CLINICIAN): (reverse("log_crf", args=[p.pk, "prednisone"]), ctx_len("rows")),
        ("log_crf conmeds", roles.CLINICIAN): (reverse("log_crf", args=[p.pk, "conmeds"]), ctx_len("rows")),
        ("sae_detail", roles.PRINCIPAL_INVESTIGATOR): (reverse("sae_detail", args=[x.sae.pk]), ctx_len("reports")),
        ("sae_report_pdf", roles.PRINCIPAL_INVESTIGATOR): (reverse("sae_report_pdf", args=[x.sae.pk]), None),
        ("ae_detail", roles.CLINICIAN): (reverse("ae_detail", args=[x.sae.adverse_event.pk]), None),
        ("query_detail", roles.MONITOR): (reverse("query_detail", args=[x.query.pk]), ctx_len("messages_")),
        ("query_list?participant", roles.MONITOR): (
            reverse("query_list") + f"?status=all&participant={p.participant_code}", ctx_len("rows")),
    })
    return pages


def test_participant_pages_run_a_fixed_number_of_queries(site, clinician, users_by_role, client_for):
    users = {**users_by_role, roles.CLINICIAN: clinician}
    x = OneParticipant(site, clinician, users)
    clients = {role: client_for(user) for role, user in users.items()}
    x.add(1)
    pages = participant_pages(x)
    small = measure(clients, pages)
    x.add(6)  # 7 visits with forms, 7 of each log row, 7 AEs, 14 queries, 7 follow-ups, 6 corrections
    big = measure(clients, participant_pages(x))
    compare(small, big, PARTICIPANT_PAGES)



# --- the emergency-unblinding result: rows are the notifications and their deliveries ---------------

def test_the_unblinding_result_runs_a_fixed_number_of_queries(site, clinician, client_for):
    from edc.models import ExternalContact, User
    from randomization.services.unblinding import emergency_unblind

    factories.strata_and_list()
    factories.external_contacts()
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    reason = "Anaphylaxis during infusion, treating physician needs arm"
    first = factories.randomized_participant(site, clinician)
    emergency_unblind(first, user=pi, reason=reason, password=factories.PASSWORD,
                      code=factories.totp_code(factories.authenticator(pi)))  # notifies PI, sponsor, CRO
    for n in range(8):
        other = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
        User.objects.filter(pk=other.pk).update(email="")  # notified in the app only
        ExternalContact.objects.create(name=f"CRO {n}", email=f"cro{n}@example.org",
                                       organisation=ExternalContact.Organisation.CRO)
    second = factories.randomized_participant(site, clinician)
    # the same PI (so the arm shows on both), and 8 more PIs (in the app only) and 8 more contacts notified
    emergency_unblind(second, user=pi, reason=reason, password=factories.PASSWORD,
                      code=factories.totp_code(factories.authenticator(pi)))
    c = client_for(pi)

    def pages(p):
        return {("unblinding_result", roles.PRINCIPAL_INVESTIGATOR): (
                    reverse("unblinding_result", args=[p.pk]), ctx_len("deliveries")),
                ("unblinding_record", roles.PRINCIPAL_INVESTIGATOR): (reverse("unblinding_record", args=[p.pk]), None)}

    clients = {roles.PRINCIPAL_INVESTIGATOR: c}
    compare(measure(clients, pages(first)), measure(clients, pages(second)), UNBLINDING_PAGES)


# --- the CRF save and /ping/ (tests/bench/README.md "CRF save"): one request, a fixed list of statements --

# A study coordinator corrects a complete vital-signs form (heart rate ±1, with a reason, warnings
# acknowledged) through the real page: every statement the POST runs, in order, and why.
CRF_SAVE_POST = (
    "the signed-in user (django.contrib.auth; the session itself comes from Redis)",
    "their roles, once per request (edc.access)",
    "the visit with its participant and site, through the user's sites (crf.selectors.get_visit_for): "
    "the 404 for another site, and the membership the save requires (edc.sites.require_site_member)",
    "the stored form (the page's instance)",
    "active locks on the form, its casebook or the database, asked once: the save's write guard reuses "
    "the answer (crf.services.locks)",
    "the delta edit check: the participant's previous vital signs (edc.services.plausibility)",
    "SAVEPOINT (BEGIN outside the test's transaction): the audited save is one transaction",
    "the row as stored, compared once for what changed (edc.audit.stored_row)",
    "UPDATE of the form",
    "INSERT of its history row: who, when, and the reason (django-simple-history, edc.audit)",
    "signatures covering the form, to invalidate with the reason (crf.services.review)",
    "RELEASE SAVEPOINT (COMMIT)",
    "the read-access log, one INSERT (edc.read_log)",
    # Not here: the session, written at most once a minute (edc.middleware; docs/WORKFLOW.md), and the
    # saved-form mark for the browser's draft, a cookie (edc.drafts.mark_saved).
)
PING = ("the signed-in user", "their roles")


def test_a_crf_save_and_ping_run_a_fixed_list_of_statements(site, clinician, client_for):
    from crf.models import VitalSigns

    p = h.past_participant(site, clinician)
    v = h.visit(p, "m3")
    form, _w = h.save("vitals", v, clinician, acknowledge=True, **h.vitals_values(v))
    coordinator = factories.make_user(roles.COORDINATOR, site)
    c = client_for(coordinator)
    c.get(reverse("ping"))  # the first request of a session writes it (its start and idle deadline)
    with CaptureQueriesContext(connection) as ping:
        assert c.get(reverse("ping")).status_code == 200
    assert len(ping) == len(PING), [q["sql"][:120] for q in ping.captured_queries]

    values = h.form_data(h.vitals_values(v))
    history = VitalSigns.history.filter(id=form.pk).count()
    for heart_rate in (73, 72):  # the second is measured (content types and the like are cached by then)
        data = {**values, "heart_rate": str(heart_rate), "reason_for_change": "Corrected from the nursing chart",
                "acknowledge": "1"}
        with CaptureQueriesContext(connection) as save:
            response = c.post(h.visit_url(v, "vitals"), data)
        assert response.status_code == 302
    assert len(save) == len(CRF_SAVE_POST), "\n".join(q["sql"][:120] for q in save.captured_queries)
    assert not any("django_session" in q["sql"] for q in save.captured_queries)
    latest = VitalSigns.history.filter(id=form.pk).first()  # every change still has its history row and reason
    assert VitalSigns.history.filter(id=form.pk).count() == history + 2
    assert latest.heart_rate == 72 and latest.history_change_reason == "Corrected from the nursing chart"
    assert latest.history_user == coordinator
