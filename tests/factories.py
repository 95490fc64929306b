"""People and records every test needs, made through the real services (docs/ARCHITECTURE.md "Style": one place)."""
import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from edc import roles
from edc.models import Participant, Site
from edc.services import consent as consent_svc
from edc.services import eligibility as eligibility_svc
from edc.services import enrolment as enrolment_svc
from edc.services import screening as screening_svc
from edc.services.people import create_user, ensure_roles

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_site(code: str = "", prefix: str = "") -> Site:
    n = next(_seq)
    return Site.objects.create(code=code or f"site{n}", name=f"Site {n}",
                               participant_prefix=prefix or f"S{n}")


def make_user(role: str, *sites: Site, username: str = ""):
    ensure_roles()
    username = username or f"{role}{next(_seq)}"
    return create_user(username=username, password=PASSWORD, role=role, sites=sites,
                       first_name=role.title(), last_name=str(next(_seq)), email=f"{username}@example.org")


def grant_code_break(user):
    """The code-break permission (protocol 2.8.2), given as the system administrator would."""
    from edc.services import grants

    grants.set_code_break(user, True, by=grants.SystemAdministrator("test system administrator"),
                          reason="Test: holds the code-break permission")
    return user


def authenticator(user):
    """The user's confirmed TOTP device (made once), as if they had enrolled."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test authenticator", confirmed=True)


def signed_in_client(user, **client_kwargs):
    """A test Client signed in as `user`; for a user who needs the second factor the session is
    already verified by a confirmed device, as django_otp.login leaves it."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from edc.two_factor import needs_two_factor

    client = Client(**client_kwargs)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if needs_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session.save()
    return client


def totp_code(device) -> str:
    """The code the user's app shows now, computed from the device key (django_otp.oath.totp). A
    code is accepted once: after a use in this time step, the next step's (within tolerance)."""
    import time

    from django_otp.oath import hotp, totp

    device.refresh_from_db()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    current = (int(time.time()) - device.t0) // device.step + device.drift
    if device.last_t >= current:
        while device.last_t + 1 > current + device.tolerance:  # pragma: no cover - rare
            time.sleep(1)
            current = (int(time.time()) - device.t0) // device.step + device.drift
        code = hotp(device.bin_key, device.last_t + 1, device.digits)
    return f"{code:0{device.digits}d}"


def screen(site: Site, user, **overrides) -> Participant:
    today = timezone.localdate(timezone=SHANGHAI)
    values = dict(site=site, screening_number=f"{next(_seq):04d}",
                  screening_date=today - timedelta(days=3), initials="ZXM",
                  date_of_birth=date(1990, 5, 17), sex="F")
    values.update(overrides)
    return screening_svc.screen_participant(user=user, **values)


def consent(p: Participant, user, kind: str = "main", **overrides):
    values = dict(kind=kind, form_version="1.0", obtained_by=user,
                  consented_at=datetime.combine(p.screening_date, datetime.min.time(),
                                                tzinfo=SHANGHAI) + timedelta(hours=10))
    values.update(overrides)
    return consent_svc.record_consent(p, user=user, **values)


def eligibility_answers(p: Participant, **overrides) -> dict:
    answers = dict(
        acr_criteria_met=6, biopsy_date=p.screening_date - timedelta(days=200),
        biopsy_class="IV", biopsy_active=True,
        first_line_start_date=p.screening_date - timedelta(days=250), first_line_response="none",
        inclusion_note="", severe_hepatic_dysfunction=False, creatinine_value=Decimal("80"),
        creatinine_unit="umol/L", creatinine_date=p.screening_date,
    )
    for n in (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14):
        answers[f"exc{n}"] = False
        answers[f"exc{n}_note"] = ""
    answers.update(overrides)
    return answers


def assess(p: Participant, user, **overrides):
    return eligibility_svc.record_eligibility(p, user=user, **eligibility_answers(p, **overrides))


def enrol(p: Participant, user, prior_therapy: str = "gc_mpaa") -> Participant:
    return enrolment_svc.enrol_participant(p, user=user, prior_therapy=prior_therapy)


def enrolled_participant(site: Site, user, **screen_overrides) -> Participant:
    p = screen(site, user, **screen_overrides)
    consent(p, user)
    assess(p, user)
    return enrol(p, user)


def strata_and_list(seed: int = 7, capacity: int | None = None):
    """The four default strata (optionally resized) and a generated allocation list."""
    from randomization.models import Stratum
    from randomization.services import allocation_list
    from randomization.services.strata import ensure_default_strata

    admin = make_user(roles.RANDOMIZATION_ADMIN, *Site.objects.all())
    ensure_default_strata(admin)
    if capacity is not None:
        for s in Stratum.objects.all():
            s.capacity = capacity
            s._history_user = admin
            s.save()
    return allocation_list.generate_from_published_seed(user=admin, seed=seed)


def randomized_participant(site: Site, user, prior_therapy: str = "gc_mpaa", **screen_overrides):
    from randomization.services.randomize import randomize

    p = screen(site, user, **screen_overrides)
    consent(p, user)
    assess(p, user)
    enrol(p, user, prior_therapy)
    randomize(p, user=user)
    p.refresh_from_db()
    return p


def prepared_bag(p: Participant, infusion: str = "m0"):
    from randomization.services.pharmacy import record_bag

    pharmacist = make_user(roles.PHARMACIST, p.site)
    checker = make_user(roles.PHARMACIST, p.site)
    return record_bag(p, user=pharmacist, infusion=infusion, body_weight_kg=Decimal("62.5"),
                      product_lot="LOT-1", cell_count=62_500_000, viability_pct=Decimal("92.0"),
                      prepared_at=timezone.now(), checker_username=checker.username,
                      checker_password=PASSWORD)


def unblinded(p: Participant, reason: str = "Anaphylaxis during infusion, treating physician needs arm"):
    from randomization.services.unblinding import emergency_unblind

    pi = grant_code_break(make_user(roles.PRINCIPAL_INVESTIGATOR, p.site))
    emergency_unblind(p, user=pi, reason=reason, password=PASSWORD, code=totp_code(authenticator(pi)))
    return pi


def participant_with_everything(site: Site, user) -> Participant:
    """Randomized, bag prepared and emergency-unblinded: every page has something to show."""
    if not Site.objects.filter(pk=site.pk).exists():
        raise ValueError(site)
    from randomization.models import AllocationList

    if not AllocationList.objects.filter(active=True).exists():
        strata_and_list()
    p = randomized_participant(site, user)
    prepared_bag(p)
    unblinded(p)
    p.refresh_from_db()
    return p


def external_contacts():
    from edc.models import ExternalContact

    sponsor = ExternalContact.objects.create(name="Sponsor", email="sponsor@example.org",
                                             organisation=ExternalContact.Organisation.SPONSOR)
    cro = ExternalContact.objects.create(name="CRO", email="cro@example.org",
                                         organisation=ExternalContact.Organisation.CRO)
    return sponsor, cro
