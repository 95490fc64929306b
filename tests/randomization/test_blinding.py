"""The blinding scan (docs/BLINDING.md "The blinding scan"): EVERY route of the URL conf, with real
objects of a populated trial in its arguments, as EVERY blinded role, in both languages. A route that
answers 405 to GET is sent the empty POST a browser could send (its error messages are scanned too);
redirects are followed; downloads are read (PDF text, CSV, zip members, SPSS .sav values and labels,
JSON); the statistician API serves every dataset; every e-mail the trial sent is read. Any arm label
(English or Chinese), raw arm code or allocation internal (row id, stratum-and-sequence, list id, seed,
the sequence-number label) fails the test.

Nothing is skipped silently: each (route, role) ends as "scanned" (content read), "refused" (the role
may not open it: 403) or in UNREACHED with its status; UNREACHED must hold only entries explained in
EXPLAINED. A route added later is therefore scanned, refused, or fails the test until someone explains it.
"""
import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, reverse

from edc import roles
from edc.access import PUBLIC
from edc.models import Delivery
from edc.services import notifications
from exports.datasets import all_datasets
from exports.services import runs
from randomization.models import Randomization
from tests import factories
from tests.blinding_scan import Internals, body_of, distinctive_allocation_row_ids, email_text, text_of
from tests.url_objects import objects_for
from tests.url_walk import SKIP_PREFIXES, kwargs_for, routes

pytestmark = pytest.mark.django_db

BLINDED = [r for r in roles.ALL_ROLES if r not in roles.UNBLINDED_ROLES]
LANGUAGES = ("en", "zh-hans")

# Routes (or "route:role") a blinded role cannot read content from, and why. Every other route must be
# scanned for each blinded role allowed to open it.
EXPLAINED = {
    "logout": "signs the user out (POST); no content. Scanned signed out: redirects to the sign-in page.",
    "two_factor_verify": "the second sign-in step, reached only between password and code; scanned signed "
                         "out (redirects to the sign-in page), content is a code field.",
    "two_factor_enrol": "as two_factor_verify, for the first enrolment of an authenticator.",
    "api_dataset": "token-authenticated, not session: scanned separately for every dataset "
                   "(test_the_api_serves_no_arm_or_internal).",
    "unblinding_result:clinician": "only the one who unblinded sees this page (404 to anyone else, who "
                                   "may not even learn an unblinding happened); the requester is unblinded.",
    "unblinding_result:principal_investigator": "as unblinding_result:clinician.",
    "lab_fhir_endpoint:anonymous": "the laboratory system's FHIR POST endpoint: results in, nothing out; "
                                   "answers 401 without an interface token (tests/labs/test_interfaces.py).",
}
SKIPPED_PREFIXES = {
    "admin/": "the Django admin: test_the_admin_shows_no_arm_to_the_data_manager and the admin lockdown tests",
    "i18n/": "the language switch: a POST that redirects, no content of its own",
}


@pytest.fixture
def world(site, clinician, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """A trial with everything: an allocation list from a secret seed (distinctive row ids), a randomized
    participant with forms, a query, a deviation, an SAE, a bag and an emergency unblinding (by a PI who
    is not scanned), a second still-blind participant, real export zips and the e-mails sent."""
    monkeypatch.setattr(runs, "EXPORT_DIR", tmp_path)
    factories.external_contacts()
    distinctive_allocation_row_ids()
    from randomization.services import allocation_list
    from randomization.services.strata import ensure_default_strata
    admin = factories.make_user(roles.RANDOMIZATION_ADMIN, site)
    ensure_default_strata(admin)
    with django_capture_on_commit_callbacks(execute=True):
        allocation_list.generate(user=admin)  # a secret 128-bit seed, as in production
        p = factories.randomized_participant(site, clinician)
        factories.prepared_bag(p)
        factories.unblinded(p)
        still_blind = factories.randomized_participant(site, clinician, prior_therapy="gc_cyc")
        objects = objects_for(p, clinician)
    users = {role: factories.make_user(role, site) for role in BLINDED}
    run_of = {role: runs.build(runs.request_export(user=users[role]).pk).pk
              for role in runs.MAY_EXPORT if role in users}
    from safety.services.obligations import sweep
    sweep()
    for pk in Delivery.objects.filter(channel="email").values_list("pk", flat=True):
        notifications.send_email_delivery(pk)
    objects["user_pk"] = clinician.pk
    p.refresh_from_db()
    return {"p": p, "still_blind": still_blind, "objects": objects, "users": users, "run_of": run_of,
            "internals": Internals.of_trial()}


def scan_route(route, role, client, objects, internals) -> tuple[str, str]:
    """("scanned" | "refused" | "unreached", detail) for one route and role, over both languages;
    a leak fails at once."""
    try:
        url = reverse(route.name, kwargs=kwargs_for(route, objects))
    except (KeyError, NoReverseMatch, pytest.skip.Exception) as error:
        return "unreached", f"no object for its parameters ({error!r})"
    outcomes = set()
    for lang in LANGUAGES:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang, follow=True)
        if response.status_code == 405:  # POST only: the empty POST a browser could send, and its errors
            response = client.post(url, {}, HTTP_ACCEPT_LANGUAGE=lang, follow=True)
        text = text_of(body_of(response), response.get("Content-Type", ""))
        leaks = internals.leaks(text)
        assert leaks == [], f"{role} sees {leaks} at {url} ({lang}, {response.status_code})"
        outcomes.add(response.status_code)
    if outcomes == {200}:
        return "scanned", url
    if outcomes == {403} and role not in route.access:
        return "refused", url
    return "unreached", f"{url} answered {sorted(outcomes)}"


def test_every_route_as_every_blinded_role_in_both_languages_shows_no_arm_or_internal(world, client_for):
    internals, objects = world["internals"], world["objects"]
    outcome: dict[tuple[str, str], tuple[str, str]] = {}
    for role in BLINDED:
        client = client_for(world["users"][role])
        role_objects = {**objects, "run_pk": world["run_of"].get(role, objects["run_pk"])}
        for route in routes():
            if route.access == PUBLIC:
                continue
            outcome[route.name, role] = scan_route(route, role, client, role_objects, internals)
    anonymous = Client()
    for route in routes():
        if route.access == PUBLIC and route.name != "api_dataset":
            outcome[route.name, "anonymous"] = scan_route(route, "anonymous", anonymous, objects, internals)
    unreached = {f"{name}:{role}": detail for (name, role), (kind, detail) in outcome.items()
                 if kind == "unreached" and name not in EXPLAINED and f"{name}:{role}" not in EXPLAINED}
    assert unreached == {}, "routes the scan could not read; scan them or explain them in EXPLAINED"
    for (name, role), (kind, _detail) in outcome.items():
        allowed = role == "anonymous" or role in next(r.access for r in routes() if r.name == name)
        assert kind != "refused" or not allowed, (name, role)
    scanned = {name for (name, _role), (kind, _d) in outcome.items() if kind == "scanned"}
    blinded_routes = {r.name for r in routes() if r.access == PUBLIC or set(r.access) & set(BLINDED)}
    assert blinded_routes - scanned <= set(EXPLAINED) | {k.split(":")[0] for k in EXPLAINED}


def test_explanations_name_current_routes_only():
    names = {r.name for r in routes()}
    assert {k.split(":")[0] for k in EXPLAINED} <= names
    assert set(SKIPPED_PREFIXES) == set(SKIP_PREFIXES)


def test_the_api_serves_no_arm_or_internal(world):
    from tests.edc.test_access_log import _new_token
    key = _new_token(world["users"][roles.STATISTICIAN])
    api = Client()
    for dataset in all_datasets():
        response = api.get(reverse("api_dataset", args=[dataset.name]), HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200, dataset.name
        assert world["internals"].leaks(text_of(body_of(response), "text/csv")) == [], dataset.name


def test_every_email_the_trial_sent_holds_no_arm_or_internal(world):
    assert {m.to[0] for m in mail.outbox} >= {"sponsor@example.org", "cro@example.org"}  # unblinding, SAE
    for message in mail.outbox:
        assert world["internals"].leaks(email_text(message)) == [], message.subject


def test_the_export_zip_members_are_all_read(world):
    run = runs.ExportRun.objects.get(pk=world["run_of"][roles.STATISTICIAN])
    text = text_of(open(run.file_path, "rb").read())
    for member in ("participants.csv", "participants.sav", "codebook.csv", "odm.xml", "README.txt"):
        assert f"== {member}" in text
    assert world["p"].randomization.blind_code in text  # the .sav and CSV were really read


def test_positive_control_an_allocation_row_key_in_the_audit_trail_is_caught(world, client_for, monkeypatch):
    """Were the allocation row shown in history (as it once was), the scan would fail."""
    monkeypatch.setattr(Randomization, "visible_fields", (*Randomization.visible_fields, "row"))
    monitor = client_for(world["users"][roles.MONITOR])
    text = text_of(body_of(monitor.get(reverse("participant_audit_csv", args=[world["p"].pk]))))
    assert f"allocation row id {world['p'].randomization.row_id}" in world["internals"].leaks(text)


def test_positive_control_the_seed_and_a_row_label_are_caught(world):
    from randomization.models import AllocationList
    lst = AllocationList.objects.get(active=True)
    row = world["p"].randomization.row
    assert world["internals"].leaks(f"seed {lst.seed}") == ["seed"]
    assert world["internals"].leaks(f"row {row}") == [f"allocation row {row}"]
    assert len(lst.seed) >= 19  # a secret seed of 128 bits, not the demo's


def test_positive_control_the_requester_sees_the_arm_of_that_participant_only(site, world, client_for):
    p = world["p"]
    requester = p.emergency_unblinding.requested_by
    c = client_for(requester)
    text = text_of(body_of(c.get(reverse("participant_detail", args=[p.pk]))))
    assert str(p.randomization.row.get_arm_display()) in world["internals"].leaks(text)
    other = world["still_blind"]
    assert world["internals"].leaks(text_of(body_of(c.get(reverse("participant_detail", args=[other.pk]))))) == []
    pdf = text_of(body_of(c.get(reverse("unblinding_record", args=[p.pk]))))
    assert str(p.randomization.row.get_arm_display()) in pdf


def test_the_admin_shows_no_arm_to_the_data_manager(site, world, client_for):
    dm = client_for(world["users"][roles.DATA_MANAGER])
    for url in ["/admin/", "/admin/edc/user/", "/admin/edc/site/", "/admin/edc/externalcontact/"]:
        response = dm.get(url)
        assert response.status_code == 200
        assert world["internals"].leaks(text_of(body_of(response))) == []
    assert dm.get("/admin/randomization/allocationrow/").status_code == 404


def test_another_pi_reading_the_unblinding_record_gets_no_arm(site, world, client_for):
    pdf = text_of(body_of(client_for(world["users"][roles.PRINCIPAL_INVESTIGATOR]).get(
        reverse("unblinding_record", args=[world["p"].pk]))))
    assert "withheld" in pdf and world["internals"].leaks(pdf) == []


def test_history_views_do_not_carry_the_arm_or_the_row(site, world, client_for):
    c = client_for(world["users"][roles.MONITOR])
    text = text_of(body_of(c.get(reverse("participant_audit", args=[world["p"].pk]))))
    assert "Randomized" in text and world["p"].randomization.blind_code in text
    assert world["internals"].leaks(text) == []
