"""eCRF models. Each form lives in its own module; import them here so Django finds them."""
from .base import CrfLogModel, CrfModel, CrfStatus
from .visits import Visit, VisitStatus

__all__ = ["CrfLogModel", "CrfModel", "CrfStatus", "Visit", "VisitStatus"]
from .bilag import BilagRenal as BilagRenal
from .biopsy import KidneyBiopsy as KidneyBiopsy
from .biospecimen import Biospecimen as Biospecimen
from .conmeds import ConcomitantMedication as ConcomitantMedication
from .death import Death as Death
from .deviation import ProtocolDeviation as ProtocolDeviation
from .discontinuation import Discontinuation as Discontinuation
from .infusion import InfusionAdministration as InfusionAdministration
from .labs import LabPanel as LabPanel
from .prednisone import PrednisoneDose as PrednisoneDose
from .pregnancy import PregnancyTest as PregnancyTest
from .reference import ReferenceRange as ReferenceRange
from .response import RenalResponse as RenalResponse
from .sledai import SledaiAssessment as SledaiAssessment
from .vitals import VitalSigns as VitalSigns
