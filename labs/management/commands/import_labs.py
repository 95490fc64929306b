"""Stage a laboratory file, or accept a staged batch (docs/LAB_IMPORT.md "Command line").

    manage.py import_labs PATH [--format auto|csv|xlsx|hl7|fhir] [--mapping NAME] [--dry-run] --as USERNAME
    manage.py import_labs --accept BATCH --as USERNAME --reason TEXT

Prints a JSON summary. Staging matches participants of the sites of the --as user (a data
manager); accepting saves every ready row through the lab form's save path as that user."""
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from edc import roles
from edc.access import has_any_role
from labs.models import ImportBatch
from labs.services.accept import accept
from labs.services.staging import stage_bytes


class Command(BaseCommand):
    help = "Stage lab results from a file of the hospital laboratory system, or accept a staged batch."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--format", default="auto", choices=["auto", "csv", "xlsx", "hl7", "fhir"])
        parser.add_argument("--mapping", default="", help="a saved column mapping (CSV/XLSX)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--accept", type=int, metavar="BATCH")
        parser.add_argument("--as", dest="username", required=True, help="the data manager acting")
        parser.add_argument("--reason", default="")

    def handle(self, *args, path=None, username="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not has_any_role(user, {roles.DATA_MANAGER}):
            raise CommandError(f"{username!r} is not an active data manager.")
        if options["accept"]:
            batch = ImportBatch.objects.filter(pk=options["accept"], status=ImportBatch.Status.STAGED).first()
            if batch is None:
                raise CommandError(f"No staged batch #{options['accept']}.")
            try:
                out = accept(batch, user=user, reason=options["reason"], all_ready=True)
            except ValidationError as e:
                raise CommandError(" ".join(e.messages)) from None
            self.stdout.write(json.dumps({"batch": batch.pk, **out}, ensure_ascii=False))
            return
        if not path:
            raise CommandError("Give a PATH to stage, or --accept BATCH.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file {path}.")
        size = file.stat().st_size
        with file.open("rb") as handle:  # never more than the limit + 1 byte read
            data = handle.read(min(size, settings.LAB_IMPORT_MAX_BYTES + 1))
        summary = stage_bytes(data, filename=file.name, user=user, sites=list(user.sites.all()),
                              fmt=options["format"], mapping_name=options["mapping"], dry_run=options["dry_run"])
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
