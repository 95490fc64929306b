"""eCRF models. Each form lives in its own module; import them here so Django finds them."""
from .base import CrfLogModel, CrfModel, CrfStatus, ReviewedForm
from .bilag import BilagRenal
from .biopsy import KidneyBiopsy
from .biospecimen import Biospecimen
from .conmeds import ConcomitantMedication
from .death import Death
from .deviation import ProtocolDeviation
from .discontinuation import Discontinuation
from .infusion import InfusionAdministration
from .labs import LabPanel
from .prednisone import PrednisoneDose
from .pregnancy import PregnancyTest
from .quality import Lock, Query, QueryMessage, Scope, Signature
from .reference import ReferenceRange
from .response import RenalResponse
from .sledai import SledaiAssessment
from .visits import Visit, VisitStatus
from .vitals import VitalSigns

__all__ = [
    "BilagRenal", "Biospecimen", "ConcomitantMedication", "CrfLogModel", "CrfModel", "CrfStatus", "Death",
    "Discontinuation", "InfusionAdministration", "KidneyBiopsy", "LabPanel", "Lock", "PrednisoneDose",
    "PregnancyTest", "ProtocolDeviation", "Query", "QueryMessage", "ReferenceRange", "RenalResponse",
    "ReviewedForm", "Scope", "Signature", "SledaiAssessment", "Visit", "VisitStatus", "VitalSigns",
]
