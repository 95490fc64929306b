"""The eCRF registry: one entry per form, so one generic page, service and grid serve them all.

An entry names the model and the Django form, and optionally:
- `derive(instance)`: fill computed fields with the pure calculators (edc.clinical); may raise
  ValidationError for impossible input;
- `hard_checks(instance) -> dict[field, message]`: impossible values beyond the form's own checks
  (dates outside the participant's timeline, end before start...);
- `soft_checks(instance) -> list[SoftWarning]`: values outside expected ranges and cross-form
  inconsistencies; the user may save anyway and the warning is recorded;
- `explain(instance) -> list[str]`: how the computed values were decided, shown on the page.
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from edc.edit_checks import SoftWarning

__all__ = ["REGISTRY", "CrfType", "SoftWarning", "get", "ordered", "register"]


@dataclass(frozen=True)
class CrfType:
    key: str
    label: object  # lazy translated
    model: type
    form: type
    log: bool = False  # many rows per participant
    any_visit: bool = False  # may be entered at any visit, not only where the schedule lists it
    derive: Callable | None = None
    hard_checks: Callable | None = None
    soft_checks: Callable | None = None
    explain: Callable | None = None
    after_save: Callable | None = None  # after_save(instance, user), same transaction as the save
    order: int = 50
    template: str = "crf/crf_form.html"
    readonly_fields: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, CrfType] = {}


def register(crf_type: CrfType) -> CrfType:
    REGISTRY[crf_type.key] = crf_type
    return crf_type


def get(key: str) -> CrfType | None:
    return REGISTRY.get(key)


def ordered() -> list[CrfType]:
    return sorted(REGISTRY.values(), key=lambda t: t.order)
