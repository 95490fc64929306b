"""SLEDAI-2K, one form per visit (protocol 2.6 secondary outcome; docs/DOMAIN.md §3, Gladman 2002).

24 descriptors ticked by the investigator; the total (0–105) is derived. The scoring window is
recorded (docs/DECISIONS.md: 30 days, Touma 2010). The descriptors the same visit's lab panel
suggested when the form was saved are kept beside the ticks, so a reviewer sees both."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import CrfModel


def _descriptor(label, definition) -> models.BooleanField:
    return models.BooleanField(label, default=False, help_text=definition)


class SledaiAssessment(CrfModel):
    window_days = models.PositiveSmallIntegerField(
        _("Scoring window (days before the visit)"), default=30,
        help_text=_("Protocol decision: 30 days (Touma 2010)."))
    # Field names are the descriptor codes of edc.clinical.sledai.DESCRIPTORS, in form order.
    seizure = _descriptor(_("Seizure"), _("Recent onset; exclude metabolic, infectious or drug causes."))
    psychosis = _descriptor(_("Psychosis"), _(
        "Severe disturbance of reality perception impairing normal function; exclude uraemia and drugs."))
    organic_brain_syndrome = _descriptor(_("Organic brain syndrome"), _(
        "Acute, fluctuating impairment of orientation, memory or intellect with inattention plus at least "
        "2 of: perceptual disturbance, incoherent speech, insomnia/daytime drowsiness, altered psychomotor "
        "activity; exclude metabolic, infectious or drug causes."))
    visual_disturbance = _descriptor(_("Visual disturbance"), _(
        "Retinal changes of SLE (cytoid bodies, retinal haemorrhages, serous exudate or choroidal "
        "haemorrhage, optic neuritis); exclude hypertension, infection, drugs."))
    cranial_nerve_disorder = _descriptor(_("Cranial nerve disorder"), _(
        "New sensory or motor neuropathy of cranial nerves."))
    lupus_headache = _descriptor(_("Lupus headache"), _(
        "Severe persistent headache, may be migrainous, unresponsive to narcotic analgesia."))
    cva = _descriptor(_("Cerebrovascular accident"), _(
        "New cerebrovascular accident(s); exclude arteriosclerosis."))
    vasculitis = _descriptor(_("Vasculitis"), _(
        "Ulceration, gangrene, tender finger nodules, periungual infarction, splinter haemorrhages, or "
        "biopsy/angiogram proof of vasculitis."))
    arthritis = _descriptor(_("Arthritis"), _(
        "At least 2 joints with pain and signs of inflammation (tenderness, swelling or effusion)."))
    myositis = _descriptor(_("Myositis"), _(
        "Proximal muscle aching/weakness with raised CK/aldolase, EMG changes or biopsy proof."))
    urinary_casts = _descriptor(_("Urinary casts"), _("Heme-granular or red blood cell casts."))
    haematuria = _descriptor(_("Haematuria"), _(
        ">5 red blood cells/high-power field; exclude stone, infection or other causes."))
    proteinuria = _descriptor(_("Proteinuria"), _(">0.5 g/24 hours."))
    pyuria = _descriptor(_("Pyuria"), _(">5 white blood cells/high-power field; exclude infection."))
    rash = _descriptor(_("Rash"), _("Inflammatory-type rash (new or ongoing)."))
    alopecia = _descriptor(_("Alopecia"), _("Abnormal, patchy or diffuse loss of hair (new or ongoing)."))
    mucosal_ulcers = _descriptor(_("Mucosal ulcers"), _("Oral or nasal ulcerations (new or ongoing)."))
    pleurisy = _descriptor(_("Pleurisy"), _(
        "Pleuritic chest pain with pleural rub, effusion or pleural thickening."))
    pericarditis = _descriptor(_("Pericarditis"), _(
        "Pericardial pain with at least 1 of: rub, effusion, or ECG or echocardiogram confirmation."))
    low_complement = _descriptor(_("Low complement"), _(
        "Decrease in CH50, C3 or C4 below the lower limit of the testing laboratory."))
    dna_binding = _descriptor(_("Increased DNA binding"), _(
        "Anti-dsDNA above the normal range of the testing laboratory."))
    fever = _descriptor(_("Fever"), _(">38 °C; exclude infectious cause."))
    thrombocytopenia = _descriptor(_("Thrombocytopenia"), _("<100 × 10⁹ platelets/L; exclude drug causes."))
    leukopenia = _descriptor(_("Leukopenia"), _("<3 × 10⁹ white blood cells/L; exclude drug causes."))

    total = models.PositiveSmallIntegerField(_("SLEDAI-2K total (computed)"), null=True, blank=True)
    lab_suggestions = models.JSONField(_("descriptors suggested by the visit's labs"), default=list,
                                       blank=True)

    crf_key = "sledai"

    class Meta(CrfModel.Meta):
        verbose_name = _("SLEDAI-2K")
        verbose_name_plural = _("SLEDAI-2K assessments")

    def __str__(self) -> str:
        return f"SLEDAI-2K {self.total}"
