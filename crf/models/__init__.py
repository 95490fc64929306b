"""eCRF models. Each form lives in its own module; import them here so Django finds them."""
from .base import CrfLogModel, CrfModel, CrfStatus
from .visits import Visit, VisitStatus

__all__ = ["CrfLogModel", "CrfModel", "CrfStatus", "Visit", "VisitStatus"]
