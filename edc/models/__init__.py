"""The trial core's models: sites and people, participants, consent, eligibility."""
from .base import ClinicalModel
from .consent import Consent, ConsentKind
from .notifications import Delivery, DeliveryAttempt, ExternalContact, Notification
from .eligibility import BiopsyClass, EligibilityAssessment, FirstLineResponse
from .participants import Participant, ParticipantStatus, PriorTherapy, Sex
from .sites import Site, User

__all__ = [
    "BiopsyClass", "Delivery", "DeliveryAttempt", "ExternalContact", "Notification", "ClinicalModel", "Consent", "ConsentKind", "EligibilityAssessment",
    "FirstLineResponse", "Participant", "ParticipantStatus", "PriorTherapy", "Sex", "Site", "User",
]
