"""The trial's roles (docs/ARCHITECTURE.md "Who uses it"), held as Django groups.

Group names are stable machine names; labels are translated for display.
"""
from django.utils.translation import gettext_lazy as _

CLINICIAN = "clinician"
COORDINATOR = "coordinator"
PRINCIPAL_INVESTIGATOR = "principal_investigator"
MONITOR = "monitor"
STATISTICIAN = "statistician"
RANDOMIZATION_ADMIN = "randomization_admin"
PHARMACIST = "pharmacist"
DATA_MANAGER = "data_manager"

LABELS = {
    CLINICIAN: _("Clinician (investigator)"),
    COORDINATOR: _("Study coordinator"),
    PRINCIPAL_INVESTIGATOR: _("Principal investigator"),
    MONITOR: _("Monitor"),
    STATISTICIAN: _("Statistician"),
    RANDOMIZATION_ADMIN: _("Randomization administrator (unblinded)"),
    PHARMACIST: _("Cell-therapy pharmacist (unblinded)"),
    DATA_MANAGER: _("Data manager"),
}
ALL_ROLES = tuple(LABELS)

# Only these roles may ever see an arm (docs/ARCHITECTURE.md rule 1). Everyone else is blinded; a PI
# sees one participant's arm only through emergency unblinding (randomization app).
UNBLINDED_ROLES = frozenset({RANDOMIZATION_ADMIN, PHARMACIST})

# A password alone is not enough for these: the unblinded roles, the PI (e-signatures,
# emergency unblinding) and the data manager (people, database lock). Staff and superusers too
# (edc.two_factor.needs_two_factor).
TWO_FACTOR_ROLES = UNBLINDED_ROLES | {PRINCIPAL_INVESTIGATOR, DATA_MANAGER}

# Who may do what, named once so views and tests read the same lists.
SITE_STAFF = frozenset({CLINICIAN, COORDINATOR, PRINCIPAL_INVESTIGATOR, MONITOR, DATA_MANAGER})
INVESTIGATORS = frozenset({CLINICIAN, PRINCIPAL_INVESTIGATOR})  # consent, eligibility, enrolment
DATA_ENTRY = frozenset({CLINICIAN, COORDINATOR, PRINCIPAL_INVESTIGATOR})
REVIEWERS = frozenset({MONITOR, DATA_MANAGER})  # queries, SDV review, the read-access log
EVERYONE = frozenset(ALL_ROLES)
