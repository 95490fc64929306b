"""Table names for the aggregate SQL, read from the models (never typed twice)."""
from functools import cache


@cache
def tables() -> dict[str, str]:
    from crf import registry
    from crf.models import Query, QueryMessage, Visit
    from edc.models import Consent, EligibilityAssessment, Participant, Site
    from monitoring.models import RecordVerification
    from randomization.models import BagPreparation, Randomization
    from safety.models import ObligationPolicy, SaeCase, SaeObligation

    out = {f"crf_{t.key}": t.model._meta.db_table for t in registry.ordered()}
    for name, model in (("participant", Participant), ("site", Site), ("randomization", Randomization),
                        ("visit", Visit), ("query", Query), ("query_message", QueryMessage), ("consent", Consent),
                        ("eligibility", EligibilityAssessment), ("bag", BagPreparation),
                        ("sae", SaeCase), ("obligation", SaeObligation), ("policy", ObligationPolicy),
                        ("record_verification", RecordVerification)):
        out[name] = model._meta.db_table
    return out
