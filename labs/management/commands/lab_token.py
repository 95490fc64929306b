"""Issue a key for the FHIR endpoint (POST /api/labs/fhir/) to a data manager account; only its
SHA-256 is stored, the key is printed once."""
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from edc import roles
from edc.access import has_any_role
from labs.models import InterfaceToken


class Command(BaseCommand):
    help = "Issue a laboratory interface token for the FHIR endpoint."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not has_any_role(user, {roles.DATA_MANAGER}):
            raise CommandError(f"{username!r} is not an active data manager.")
        key = secrets.token_urlsafe(32)
        InterfaceToken.objects.create(user=user, key_sha256=hashlib.sha256(key.encode()).hexdigest())
        self.stdout.write(key)
