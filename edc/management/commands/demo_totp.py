"""Print the current second-factor code of a demo user (development only: refuses unless DEBUG)."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import hotp

from edc.services.two_factor import confirmed_device


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a user's authenticator (DEBUG only, for the demo)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp is for the demo only: it refuses to run unless DEBUG is on.")
        from edc.models import User

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"{username} has no confirmed authenticator (they enrol at next sign-in).")
        now = int(time.time()) - device.t0
        current = now // device.step + device.drift
        # A code is accepted once: after a sign-in in this step, give the next step's (still in tolerance).
        step = max(current, device.last_t + 1)
        if step > current + device.tolerance:
            raise CommandError(f"Codes up to the next {device.step} s are used already; try again then.")
        code = hotp(device.bin_key, step, device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
        left = (step + 1 - device.drift) * device.step - now
        self.stderr.write(f"valid for about {left} s")
