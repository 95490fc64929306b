"""The hospital record number (病历号) as a participant identifier held for matching
(docs/LAB_IMPORT.md "Hospital record number"): HMAC-SHA256 with a key from the settings finds it,
Fernet (AES-128-CBC + HMAC, `cryptography`) with a second key shows it to the participant's site
staff. Set and changed through the audited path with a reason; never exported."""
import base64
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from edc.audit import save_changed, save_created
from edc.sites import require_site_member
from labs.models import HospitalRecordNumber

NUMBER = re.compile(r"^[A-Za-z0-9-]{1,30}$")


def normalise(number: str) -> str:
    return (number or "").strip().upper()


def _hmac_key() -> bytes:
    key = settings.LAB_IDENTIFIER_HMAC_KEY
    if not key:
        raise ImproperlyConfigured("LAB_IDENTIFIER_HMAC_KEY is not set.")
    return key.encode()


def _fernet() -> Fernet:
    key = settings.LAB_IDENTIFIER_FERNET_KEY
    if not key:
        # derived from the HMAC key so a fresh checkout works; production sets its own (and without
        # LAB_IDENTIFIER_HMAC_KEY there is nothing to derive from: ImproperlyConfigured)
        key = base64.urlsafe_b64encode(hashlib.sha256(b"fernet:" + _hmac_key()).digest())
    return Fernet(key)


def digest(number: str) -> str:
    return hmac.new(_hmac_key(), normalise(number).encode(), hashlib.sha256).hexdigest()


def reveal(record: HospitalRecordNumber) -> str:
    try:
        return _fernet().decrypt(record.ciphertext.encode()).decode()
    except InvalidToken:
        return _("(cannot be decrypted with the current key)")


def set_hospital_record_number(participant, number: str, *, user, reason: str = "") -> HospitalRecordNumber:
    """Record or change the participant's hospital record number (site staff of its site)."""
    require_site_member(user, participant.site)
    number = normalise(number)
    if not NUMBER.match(number):
        raise ValidationError({"number": _("Use letters, digits and hyphens only (at most 30).")})
    record = HospitalRecordNumber.objects.filter(participant=participant).first()
    new_digest = digest(number)
    if HospitalRecordNumber.objects.filter(digest=new_digest).exclude(participant=participant).exists():
        raise ValidationError({"number": _("This hospital record number belongs to another participant.")})
    ciphertext = _fernet().encrypt(number.encode()).decode()
    try:
        with transaction.atomic():
            if record is None:
                record = HospitalRecordNumber(participant=participant, digest=new_digest, ciphertext=ciphertext)
                return save_created(record, user, reason)
            if record.digest == new_digest:
                return record
            record.digest, record.ciphertext = new_digest, ciphertext
            save_changed(record, user, reason)
            return record
    except IntegrityError:
        raise ValidationError({"number": _("This hospital record number belongs to another participant.")})
