"""What the lab import shows on other apps' pages (edc.extensions)."""
from crf.models.labs import LabPanel
from edc import roles
from edc.access import user_roles
from labs.analytes import ANALYTES
from labs.forms import HospitalNumberForm
from labs.models import HospitalRecordNumber
from labs.selectors import lis_sourced_values, provenance_text
from labs.services.identifiers import reveal


def participant_panel(request, p):
    """The hospital record number, to the participant's site staff only (the page itself is
    site-isolated: edc.selectors.participants.get_participant_for)."""
    mine = user_roles(request.user)
    if not mine & (roles.DATA_ENTRY | {roles.DATA_MANAGER, roles.MONITOR}):
        return None
    record = HospitalRecordNumber.objects.filter(participant=p).first()
    return {"p": p, "number": reveal(record) if record else "", "has_number": record is not None,
            "can_edit": bool(mine & (roles.DATA_ENTRY | {roles.DATA_MANAGER})), "form": HospitalNumberForm()}


def crf_sources(request, instance):
    """On the lab form: where each value came from (typed, or batch + row/message)."""
    if not isinstance(instance, LabPanel):
        return None
    sources = lis_sourced_values([instance]).get(instance.pk, {})
    rows = [(LabPanel._meta.get_field(name).verbose_name, provenance_text(sources.get(name)))
            for name in ANALYTES if getattr(instance, name) not in (None, "")]
    return {"rows": rows, "imported": len(sources)}
