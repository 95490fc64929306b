"""Load the demo trial once (idempotent): sites, one user per role. `make run` calls it."""
from base64 import b32decode
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from edc import roles
from edc.models import ExternalContact, Site, User
from edc.services import grants
from edc.services.people import create_user, ensure_roles

DEMO_PASSWORD = "lupus-trial-demo"  # >= 12 characters; demo only
# The demo users who need a second factor (edc.roles.TWO_FACTOR_ROLES) get an authenticator already
# confirmed with this fixed, published secret: DEMO ONLY, never for real accounts. Add it to any
# authenticator app, or print the current code with `manage.py demo_totp <username>` (DEBUG only).
DEMO_TOTP_SECRET = "DEMO" * 8  # base32, 20 bytes
SITES = [
    # (code, name, prefix)
    ("plagh", "Chinese PLA General Hospital, Nephrology", "BJ"),
    ("demo2", "Second site (demo of site isolation)", "SH"),
]
USERS = [
    # (username, role, first, last, sites)
    ("clinician", roles.CLINICIAN, "Li", "Wei", ["plagh"]),
    ("coordinator", roles.COORDINATOR, "Wang", "Fang", ["plagh"]),
    ("pi", roles.PRINCIPAL_INVESTIGATOR, "Chen", "Xiangmei", ["plagh"]),
    ("monitor", roles.MONITOR, "Zhao", "Min", ["plagh", "demo2"]),
    ("statistician", roles.STATISTICIAN, "Sun", "Hao", ["plagh", "demo2"]),
    ("randadmin", roles.RANDOMIZATION_ADMIN, "Zhou", "Lin", ["plagh", "demo2"]),
    ("pharmacist", roles.PHARMACIST, "Wu", "Jing", ["plagh"]),
    ("pharmacist2", roles.PHARMACIST, "Zhang", "Min", ["plagh"]),  # checks the bags
    ("datamanager", roles.DATA_MANAGER, "Xu", "Yan", ["plagh", "demo2"]),
    ("clinician2", roles.CLINICIAN, "Ma", "Lei", ["demo2"]),
]


class Command(BaseCommand):
    help = "Create the demo trial (sites and one user per role) if it is not there yet."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true",
                            help="Only print the demo logins.")
        parser.add_argument("--no-logins", action="store_true",
                            help="Load without printing the logins (make run prints them last).")

    def handle(self, *args, print_logins=False, no_logins=False, **options):
        # Published passwords and a published TOTP secret: never on a production server.
        if not settings.DEBUG:
            raise CommandError("load_demo_trial creates accounts with published passwords and a published "
                               "authenticator secret; it runs only with DEBUG on (development).")
        if not print_logins:
            self.load()
        if no_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, role, *_ in USERS:
            second = "  + code (two-step sign-in)" if role in roles.TWO_FACTOR_ROLES else ""
            self.stdout.write(f"  {username:<13} {roles.LABELS[role]}{second}")
        self.stdout.write(
            f"Two-step sign-in codes: any authenticator app with the DEMO secret {DEMO_TOTP_SECRET}\n"
            "  (time-based, 6 digits, 30 s), or: make totp user=pi   "
            "(= python manage.py demo_totp pi)")

    @transaction.atomic
    def load(self):
        ensure_roles()
        ExternalContact.objects.get_or_create(
            email="safety@sponsor.example.org",
            defaults={"name": "Sponsor safety desk", "organisation": ExternalContact.Organisation.SPONSOR})
        ExternalContact.objects.get_or_create(
            email="pv@cro.example.org",
            defaults={"name": "CRO pharmacovigilance", "organisation": ExternalContact.Organisation.CRO})
        ExternalContact.objects.get_or_create(
            email="ethics@hospital.example.org",
            defaults={"name": "Ethics committee office", "organisation": ExternalContact.Organisation.ETHICS,
                      "receives_unblinding": False})
        sites = {}
        for code, name, prefix in SITES:
            sites[code], _ = Site.objects.get_or_create(
                code=code, defaults={"name": name, "participant_prefix": prefix})
        created = 0
        for username, role, first, last, site_codes in USERS:
            if User.objects.filter(username=username).exists():
                continue
            create_user(username=username, password=DEMO_PASSWORD, role=role,
                        sites=[sites[c] for c in site_codes], first_name=first, last_name=last,
                        email=f"{username}@example.org")
            created += 1
        self.demo_authenticators()
        pi = User.objects.filter(username="pi").first()
        if pi is not None:  # protocol 2.8.2: the PI holds the code-break permission (central grant)
            grants.set_code_break(pi, True, by=grants.SETUP,
                                  reason="Demo: the principal investigator holds the code-break permission")
        self.stdout.write(f"Demo trial ready ({created} users created, "
                          f"{User.objects.count()} in all).")
        # Each app may add its part of the demo (strata and allocation list, ...) in <app>/demo.py.
        for config in apps.get_app_configs():
            if config.name in {"randomization", "crf", "safety", "exports", "labs"}:
                try:
                    module = import_module(f"{config.name}.demo")
                except ModuleNotFoundError:
                    continue
                module.load_demo(self.stdout)

    def demo_authenticators(self):
        """A confirmed authenticator with the DEMO secret for each demo user who needs one."""
        key = b32decode(DEMO_TOTP_SECRET).hex()
        for username, role, *_ in USERS:
            user = User.objects.filter(username=username).first()
            if role in roles.TWO_FACTOR_ROLES and user is not None and not TOTPDevice.objects.filter(
                    user=user, confirmed=True).exists():
                TOTPDevice.objects.create(user=user, name="demo authenticator", key=key, confirmed=True)
