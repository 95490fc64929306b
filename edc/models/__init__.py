"""The trial core's models: sites and people, participants, consent, eligibility."""
from .access_log import ReadAccess
from .base import ClinicalModel
from .consent import Consent, ConsentKind
from .eligibility import BiopsyClass, EligibilityAssessment, FirstLineResponse
from .notifications import Delivery, DeliveryAttempt, ExternalContact, Notification
from .participants import Participant, ParticipantStatus, PriorTherapy, Sex
from .sites import Site, User
from .two_factor import TwoFactorReset

__all__ = [
    "BiopsyClass", "ClinicalModel", "Consent", "ConsentKind", "Delivery", "DeliveryAttempt",
    "EligibilityAssessment", "ExternalContact", "FirstLineResponse", "Notification", "Participant",
    "ParticipantStatus", "PriorTherapy", "ReadAccess", "Sex", "Site", "TwoFactorReset", "User",
]
