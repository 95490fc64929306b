"""Discontinuation prompts (protocol 2.5.3): a serious allergic reaction, a severe infection or a
pregnancy proposes stopping the intervention. The investigator decides; this only prompts."""
from django.utils.translation import gettext as _

from safety.models import AdverseEvent

ALLERGY_WORDS = ("allerg", "anaphyla", "hypersensitivity", "过敏")


def discontinuation_prompt(ae: AdverseEvent) -> str | None:
    allergic = ae.soc == "Immune system disorders" or any(w in ae.term.lower() for w in ALLERGY_WORDS)
    if allergic and ae.is_serious:
        reason = _("a serious allergic reaction")
    elif ae.soc == "Infections and infestations" and ae.grade >= 3:
        reason = _("a severe infection")
    elif ae.soc == "Pregnancy, puerperium and perinatal conditions" or "pregnan" in ae.term.lower():
        reason = _("a pregnancy")
    else:
        return None
    return _("Protocol 2.5.3: %(r)s — consider discontinuing the study intervention "
             "(record it in the discontinuation form).") % {"r": reason}
