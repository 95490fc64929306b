"""Who uses central monitoring (docs/CENTRAL_MONITORING.md "Roles"): the principal investigator, the
monitor and the data manager, each at the sites they belong to. Only the monitor verifies against
source (crf.services.review.verify); only the monitor and the data manager change the SDV plan."""
from edc import roles

MONITORING_ROLES = frozenset({roles.PRINCIPAL_INVESTIGATOR, roles.MONITOR, roles.DATA_MANAGER})
PLAN_EDITORS = frozenset({roles.MONITOR, roles.DATA_MANAGER})
VERIFIERS = frozenset({roles.MONITOR})
