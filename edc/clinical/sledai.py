"""SLEDAI-2K: 24 weighted descriptors, total 0–105 (docs/DOMAIN.md §3, Gladman 2002).

docs/DECISIONS.md: the scoring window is the 30 days before the visit (Touma 2010); the form
records the window, this module only sums what the investigator ticked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .units import require_non_negative


@dataclass(frozen=True)
class Descriptor:
    code: str
    weight: int
    label_en: str
    label_zh: str
    definition_en: str


# docs/DOMAIN.md §3 table, in form order; weights 8×8 + 6×4 + 7×2 + 3×1 = 105.
DESCRIPTORS: tuple[Descriptor, ...] = (
    Descriptor(
        "seizure",
        8,
        "Seizure",
        "癫痫发作",
        "Recent onset; exclude metabolic, infectious or drug causes.",
    ),
    Descriptor(
        "psychosis",
        8,
        "Psychosis",
        "精神症状",
        "Severe disturbance of reality perception impairing normal function; exclude uraemia and drugs.",
    ),
    Descriptor(
        "organic_brain_syndrome",
        8,
        "Organic brain syndrome",
        "器质性脑病综合征",
        "Acute, fluctuating impairment of orientation, memory or intellect with inattention plus at least"
        " 2 of: perceptual disturbance, incoherent speech, insomnia/daytime drowsiness, altered"
        " psychomotor activity; exclude metabolic, infectious or drug causes.",
    ),
    Descriptor(
        "visual_disturbance",
        8,
        "Visual disturbance",
        "视觉障碍",
        "Retinal changes of SLE (cytoid bodies, retinal haemorrhages, serous exudate or choroidal"
        " haemorrhage, optic neuritis); exclude hypertension, infection, drugs.",
    ),
    Descriptor(
        "cranial_nerve_disorder",
        8,
        "Cranial nerve disorder",
        "颅神经病变",
        "New sensory or motor neuropathy of cranial nerves.",
    ),
    Descriptor(
        "lupus_headache",
        8,
        "Lupus headache",
        "狼疮性头痛",
        "Severe persistent headache, may be migrainous, unresponsive to narcotic analgesia.",
    ),
    Descriptor(
        "cva",
        8,
        "Cerebrovascular accident",
        "脑血管意外",
        "New cerebrovascular accident(s); exclude arteriosclerosis.",
    ),
    Descriptor(
        "vasculitis",
        8,
        "Vasculitis",
        "血管炎",
        "Ulceration, gangrene, tender finger nodules, periungual infarction, splinter haemorrhages,"
        " or biopsy/angiogram proof of vasculitis.",
    ),
    Descriptor(
        "arthritis",
        4,
        "Arthritis",
        "关节炎",
        "At least 2 joints with pain and signs of inflammation (tenderness, swelling or effusion).",
    ),
    Descriptor(
        "myositis",
        4,
        "Myositis",
        "肌炎",
        "Proximal muscle aching/weakness with raised CK/aldolase, EMG changes or biopsy proof.",
    ),
    Descriptor(
        "urinary_casts", 4, "Urinary casts", "管型尿", "Heme-granular or red blood cell casts."
    ),
    Descriptor(
        "haematuria",
        4,
        "Haematuria",
        "血尿",
        ">5 red blood cells/high-power field; exclude stone, infection or other causes.",
    ),
    Descriptor("proteinuria", 4, "Proteinuria", "蛋白尿", ">0.5 g/24 hours."),
    Descriptor(
        "pyuria", 4, "Pyuria", "脓尿", ">5 white blood cells/high-power field; exclude infection."
    ),
    Descriptor("rash", 2, "Rash", "皮疹", "Inflammatory-type rash (new or ongoing)."),
    Descriptor(
        "alopecia",
        2,
        "Alopecia",
        "脱发",
        "Abnormal, patchy or diffuse loss of hair (new or ongoing).",
    ),
    Descriptor(
        "mucosal_ulcers",
        2,
        "Mucosal ulcers",
        "黏膜溃疡",
        "Oral or nasal ulcerations (new or ongoing).",
    ),
    Descriptor(
        "pleurisy",
        2,
        "Pleurisy",
        "胸膜炎",
        "Pleuritic chest pain with pleural rub, effusion or pleural thickening.",
    ),
    Descriptor(
        "pericarditis",
        2,
        "Pericarditis",
        "心包炎",
        "Pericardial pain with at least 1 of: rub, effusion, or ECG or echocardiogram confirmation.",
    ),
    Descriptor(
        "low_complement",
        2,
        "Low complement",
        "低补体",
        "Decrease in CH50, C3 or C4 below the lower limit of the testing laboratory.",
    ),
    Descriptor(
        "dna_binding",
        2,
        "Increased DNA binding",
        "抗dsDNA抗体升高",
        "Anti-dsDNA above the normal range of the testing laboratory.",
    ),
    Descriptor("fever", 1, "Fever", "发热", ">38 °C; exclude infectious cause."),
    Descriptor(
        "thrombocytopenia",
        1,
        "Thrombocytopenia",
        "血小板减少",
        "<100 × 10⁹ platelets/L; exclude drug causes.",
    ),
    Descriptor(
        "leukopenia",
        1,
        "Leukopenia",
        "白细胞减少",
        "<3 × 10⁹ white blood cells/L; exclude drug causes.",
    ),
)

DESCRIPTORS_BY_CODE: dict[str, Descriptor] = {d.code: d for d in DESCRIPTORS}
MAX_TOTAL = 105
# §3: renal sub-score ("SLEDAI-R") = casts + haematuria + proteinuria + pyuria, 0–16.
RENAL_CODES: tuple[str, ...] = ("urinary_casts", "haematuria", "proteinuria", "pyuria")


def _validated(present: Iterable[str]) -> set[str]:
    if isinstance(present, str):  # a lone string would be iterated letter by letter
        raise TypeError("Pass an iterable of descriptor codes, not a single string")
    codes = set(present)
    unknown = sorted(c for c in codes if c not in DESCRIPTORS_BY_CODE)
    if unknown:
        raise ValueError(f"Unknown SLEDAI-2K descriptor code(s): {', '.join(map(repr, unknown))}")
    return codes


def sledai_2k_total(present: Iterable[str]) -> int:
    """Sum of the weights of the descriptors present (each counted once), 0–105."""
    return sum(DESCRIPTORS_BY_CODE[c].weight for c in _validated(present))


def renal_subscore(present: Iterable[str]) -> int:
    """Renal descriptors only (casts, haematuria, proteinuria, pyuria), 0–16 (§3)."""
    return sum(DESCRIPTORS_BY_CODE[c].weight for c in _validated(present) if c in RENAL_CODES)


def _value(value: float | None, name: str) -> float | None:
    return None if value is None else require_non_negative(value, name)


def _below_limit(value: float | None, limit: float | None, name: str) -> bool:
    """True if ``value`` < laboratory ``limit``; a value without its limit cannot be judged."""
    value = _value(value, name)
    if value is None:
        return False
    limit = _value(limit, f"{name} reference limit")
    if limit is None:
        raise ValueError(f"{name} was given without the laboratory reference limit")
    return value < limit


def suggest_from_labs(
    *,
    urine_protein_24h_g: float | None = None,
    upcr_g_g: float | None = None,
    urine_rbc_per_hpf: float | None = None,
    urine_wbc_per_hpf: float | None = None,
    urinary_casts: bool | None = None,
    c3: float | None = None,
    c3_lower_limit: float | None = None,
    c4: float | None = None,
    c4_lower_limit: float | None = None,
    anti_dsdna: float | None = None,
    anti_dsdna_upper_limit: float | None = None,
    platelets_10e9_l: float | None = None,
    wbc_10e9_l: float | None = None,
) -> frozenset[str]:
    """Descriptor codes that follow from a same-visit lab panel (a suggestion, not a score).

    None means "not measured" and suggests nothing. Thresholds are the §3 definitions, strict:
    proteinuria > 0.5 g/24 h — when no 24-h collection is given, UPCR > 0.5 g/g is used as its
    surrogate (docs/PROTOCOL.md stores UPCR in g/g); a 24-h value, when present, takes precedence.
    Haematuria/pyuria > 5 cells/hpf; C3 or C4 below the lab lower limit; anti-dsDNA above the
    lab upper limit; platelets < 100 and WBC < 3 (× 10⁹/L). The investigator must still exclude
    other causes (infection, stones, drugs) before ticking a descriptor.
    """
    codes: set[str] = set()
    protein_24h = _value(urine_protein_24h_g, "24-h urine protein")
    upcr = _value(upcr_g_g, "UPCR")
    if protein_24h is not None:
        if protein_24h > 0.5:
            codes.add("proteinuria")
    elif upcr is not None and upcr > 0.5:
        codes.add("proteinuria")
    rbc = _value(urine_rbc_per_hpf, "Urine RBC/hpf")
    if rbc is not None and rbc > 5:
        codes.add("haematuria")
    wbc_urine = _value(urine_wbc_per_hpf, "Urine WBC/hpf")
    if wbc_urine is not None and wbc_urine > 5:
        codes.add("pyuria")
    if urinary_casts:
        codes.add("urinary_casts")
    # Evaluate both (no short-circuit) so a C4 without its limit is reported even if C3 is low.
    low_c3 = _below_limit(c3, c3_lower_limit, "C3")
    low_c4 = _below_limit(c4, c4_lower_limit, "C4")
    if low_c3 or low_c4:
        codes.add("low_complement")
    dsdna = _value(anti_dsdna, "Anti-dsDNA")
    if dsdna is not None:
        upper = _value(anti_dsdna_upper_limit, "Anti-dsDNA reference limit")
        if upper is None:
            raise ValueError("Anti-dsDNA was given without the laboratory upper limit")
        if dsdna > upper:
            codes.add("dna_binding")
    platelets = _value(platelets_10e9_l, "Platelets")
    if platelets is not None and platelets < 100:
        codes.add("thrombocytopenia")
    wbc = _value(wbc_10e9_l, "White blood cells")
    if wbc is not None and wbc < 3:
        codes.add("leukopenia")
    return frozenset(codes)
