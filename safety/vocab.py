"""Safety vocabularies: CTCAE v5.0 grades, ICH E2A seriousness, NMPA six-level causality, MedDRA
system organ classes (docs/DOMAIN.md §6-8). Labels translatable; codes stable."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop as _noop

# CTCAE v5.0 general grade definitions (docs/DOMAIN.md §6), shown on the AE form.
GRADE_DEFINITIONS = {
    1: _("Mild: asymptomatic or mild symptoms; clinical or diagnostic observations only; intervention not indicated."),
    2: _("Moderate: minimal, local or non-invasive intervention indicated; limiting age-appropriate instrumental ADL."),
    3: _("Severe or medically significant but not immediately life-threatening; hospitalisation or prolongation "
         "indicated; disabling; limiting self-care ADL."),
    4: _("Life-threatening consequences; urgent intervention indicated."),
    5: _("Death related to AE."),
}


class Grade(models.IntegerChoices):
    G1 = 1, _("Grade 1 — mild")
    G2 = 2, _("Grade 2 — moderate")
    G3 = 3, _("Grade 3 — severe")
    G4 = 4, _("Grade 4 — life-threatening")
    G5 = 5, _("Grade 5 — death")


# ICH E2A seriousness criteria (docs/DOMAIN.md §8.1), any number may apply.
SERIOUSNESS = {
    "death": _("Results in death"),
    "life_threatening": _("Is life-threatening"),
    "hospitalisation": _("Requires or prolongs inpatient hospitalisation"),
    "disability": _("Persistent or significant disability/incapacity"),
    "congenital_anomaly": _("Congenital anomaly/birth defect"),
    "important_medical_event": _("Important medical event"),
}


class Causality(models.TextChoices):
    # NMPA / National ADR Monitoring Center six levels (docs/DECISIONS.md, docs/DOMAIN.md §7.2)
    CERTAIN = "certain", _("Certain (肯定)")
    PROBABLE = "probable", _("Probable (很可能)")
    POSSIBLE = "possible", _("Possible (可能)")
    POSSIBLY_UNRELATED = "possibly_unrelated", _("Possibly unrelated (可能无关)")
    PENDING = "pending", _("Pending (待评价)")
    UNASSESSABLE = "unassessable", _("Unassessable (无法评价)")


RELATED = {Causality.CERTAIN, Causality.PROBABLE, Causality.POSSIBLE}  # counted "related" in analyses


class Outcome(models.TextChoices):
    RECOVERED = "recovered", _("Recovered/resolved")
    RECOVERING = "recovering", _("Recovering/resolving")
    NOT_RECOVERED = "not_recovered", _("Not recovered/not resolved")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Unknown")


class Action(models.TextChoices):
    NONE = "none", _("None")
    INTERRUPTED = "interrupted", _("Infusion interrupted")
    WITHDRAWN = "withdrawn", _("Study intervention withdrawn")
    NOT_APPLICABLE = "not_applicable", _("Not applicable (no further infusion)")


# MedDRA primary system organ classes (27), the SOC of a CTCAE v5.0 term.
SOC_NAMES = [  # the stored codes are these English names; gettext_noop marks them for the catalogue
    _noop("Blood and lymphatic system disorders"),
    _noop("Cardiac disorders"),
    _noop("Congenital, familial and genetic disorders"),
    _noop("Ear and labyrinth disorders"),
    _noop("Endocrine disorders"),
    _noop("Eye disorders"),
    _noop("Gastrointestinal disorders"),
    _noop("General disorders and administration site conditions"),
    _noop("Hepatobiliary disorders"),
    _noop("Immune system disorders"),
    _noop("Infections and infestations"),
    _noop("Injury, poisoning and procedural complications"),
    _noop("Investigations"),
    _noop("Metabolism and nutrition disorders"),
    _noop("Musculoskeletal and connective tissue disorders"),
    _noop("Neoplasms benign, malignant and unspecified (incl cysts and polyps)"),
    _noop("Nervous system disorders"),
    _noop("Pregnancy, puerperium and perinatal conditions"),
    _noop("Psychiatric disorders"),
    _noop("Renal and urinary disorders"),
    _noop("Reproductive system and breast disorders"),
    _noop("Respiratory, thoracic and mediastinal disorders"),
    _noop("Skin and subcutaneous tissue disorders"),
    _noop("Social circumstances"),
    _noop("Surgical and medical procedures"),
    _noop("Vascular disorders"),
    _noop("Product issues"),
]
SOC_CHOICES = [(name, _(name)) for name in SOC_NAMES]  # labels in the reader's language
