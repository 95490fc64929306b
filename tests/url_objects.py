"""Real objects for every URL parameter of the URL conf, shared by the access test and the blinding
scan so both walk every page with something on it."""
from datetime import timedelta

from django.utils import timezone

from crf import registry
from crf.services.entry import save_crf
from edc.models import Notification
from randomization.models import Stratum
from tests import factories


def deviation_row(p, user):
    crf_type = registry.get("deviation")
    if crf_type is None:
        return None
    row = crf_type.model(participant=p, date=timezone.localdate(), severity="minor",
                         category="other", description="Visit outside window")
    save_crf(crf_type, row, visit=None, user=user)
    return row


def first_visit_crf(visit) -> str | None:
    from crf.selectors import crfs_due
    due = crfs_due(visit)
    return due[0].key if due else None


def saved_form_with_query(p, visit, clinician):
    """A saved month-0 lab panel with a monitor's query on it."""
    from crf.services.queries import raise_query
    from edc import roles
    from tests.crf.helpers import lab_values

    crf_type = registry.get("labs")
    labs = crf_type.model(participant=p, visit=visit, **lab_values(visit))
    save_crf(crf_type, labs, visit=visit, user=clinician, acknowledge=True)
    monitor = factories.make_user(roles.MONITOR, p.site)
    return labs, raise_query(labs, crf_key="labs", user=monitor, field_name="alt_u_l", text="Check ALT")


def finished_export_run(user):
    """A finished blinded export with a file on disk (so its download page has something to serve)."""
    import hashlib
    import tempfile

    from exports.models import ExportRun

    empty_zip = b"PK\x05\x06" + b"\x00" * 18
    handle = tempfile.NamedTemporaryFile(suffix=".zip", delete=False)
    handle.write(empty_zip)
    handle.close()
    # the SHA-256 and size recorded match the file: a download is served only then (exports.services.runs)
    return ExportRun.objects.create(requested_by=user, status=ExportRun.Status.DONE, file_path=handle.name,
                                    file_sha256=hashlib.sha256(empty_zip).hexdigest(), file_size=len(empty_zip),
                                    site_ids=sorted(user.sites.values_list("pk", flat=True)))


def lab_batch(p) -> int:
    """A staged lab-import batch (labs) for the batch review page."""
    from edc import roles
    from labs.services.staging import stage_bytes

    dm = factories.make_user(roles.DATA_MANAGER, p.site)
    data = b"patient_id,sample_collected_at,test_code,result,unit,report_id\nZY1,2025-01-01 08:00,CREA,80,umol/L,R1\n"
    return stage_bytes(data, filename="walk.csv", user=dm, sites=[p.site])["batch"]


def objects_for(p, clinician) -> dict:
    """URL parameters for one randomized participant: its visit, a log row, an AE/SAE, ..."""
    from tests.safety.helpers import report_sae

    m0 = p.visits.get(code="m0")
    row = deviation_row(p, clinician)
    ae = report_sae(p, clinician, timezone.now() - timedelta(hours=1))
    log_key = "deviation" if row else None
    labs, query = saved_form_with_query(p, m0, clinician)
    batch = lab_batch(p)
    crf_routes = {name: {"key": "labs"} for name in ("crf_verify", "crf_sign", "crf_lock", "crf_raise_query",
                                                      "crf_audit", "crf_print")}
    return {
        "run_pk": finished_export_run(clinician).pk, "name": "participants", "code": "query_age_14",
        "object_pk": labs.pk, "query_pk": query.pk,
        "pk": p.pk, "consent_pk": p.consents.get(kind="main").pk,
        "stratum_pk": Stratum.objects.first().pk, "infusion": "m0", "visit_pk": m0.pk,
        "key": first_visit_crf(m0), "row_pk": row.pk if row else None,
        "ae_pk": ae.pk, "sae_pk": ae.sae.pk, "obligation_pk": ae.sae.obligations.first().pk,
        "notification_pk": Notification.objects.first().pk if Notification.objects.exists() else None,
        "user_pk": clinician.pk,
        "routes": {"log_crf": {"key": log_key}, "log_crf_edit": {"key": log_key}, **crf_routes,
                   "lab_batch": {"pk": batch}, "lab_place": {"pk": batch}},
    }


def url_objects(site, clinician) -> dict:
    p = factories.participant_with_everything(site, clinician)
    return objects_for(p, clinician)
