"""Soft edit checks, shared by the eCRFs (crf.registry) and the enrolment path (eligibility): a
warning the user may save past, recorded with the record and raised as an automatic query."""
from dataclasses import dataclass


@dataclass(frozen=True)
class SoftWarning:
    code: str
    message: str
    field: str = ""

    def as_dict(self) -> dict:
        return {"code": self.code, "message": str(self.message), "field": self.field}


class SoftWarnings(Exception):
    """Raised when soft checks fire and the user has not chosen to save anyway; nothing saved."""

    def __init__(self, warnings: list[SoftWarning]):
        super().__init__("; ".join(str(w.message) for w in warnings))
        self.warnings = warnings
