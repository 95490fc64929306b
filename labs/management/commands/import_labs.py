"""Stage a laboratory file, or accept a staged batch (docs/LAB_IMPORT.md "Command line").

    manage.py import_labs PATH [--format auto|csv|xlsx|hl7|fhir] [--mapping NAME] [--dry-run] --as USERNAME
    manage.py import_labs --accept BATCH --as USERNAME --reason TEXT
    manage.py import_labs --place ROW --visit CODE [--panel] --as USERNAME --reason TEXT

Prints a JSON summary. Staging matches participants of the sites of the --as user (a data
manager); accepting saves every ready row through the lab form's save path as that user; placing
puts a result outside every visit window (with --panel: every result collected with it) at the
participant's visit CODE, by the page's rules (labs.services.placement)."""
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from crf.models import Visit
from edc import roles
from edc.access import has_any_role
from labs.models import ImportBatch, StagedResult
from labs.selectors import batches_for
from labs.services.accept import accept
from labs.services.placement import place
from labs.services.staging import stage_bytes


class Command(BaseCommand):
    help = "Stage lab results from a file of the hospital laboratory system, or accept a staged batch."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument("--format", default="auto", choices=["auto", "csv", "xlsx", "hl7", "fhir"])
        parser.add_argument("--mapping", default="", help="a saved column mapping (CSV/XLSX)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--accept", type=int, metavar="BATCH")
        parser.add_argument("--place", type=int, metavar="ROW", help="a staged result outside every visit window")
        parser.add_argument("--visit", default="", metavar="CODE", help="with --place: the visit (m0, m1, ...)")
        parser.add_argument("--panel", action="store_true", help="with --place: every result collected with it")
        parser.add_argument("--as", dest="username", required=True, help="the data manager acting")
        parser.add_argument("--reason", default="")

    def handle(self, *args, path=None, username="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not has_any_role(user, {roles.DATA_MANAGER}):
            raise CommandError(f"{username!r} is not an active data manager.")
        if options["place"]:
            return self._place(user, options)
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

    def _place(self, user, options):
        row = StagedResult.objects.filter(pk=options["place"], batch__in=batches_for(user)).first()
        if row is None:
            raise CommandError(f"No staged result #{options['place']} in a batch of {user.get_username()}.")
        visit = Visit.objects.filter(participant_id=row.participant_id, code=options["visit"]).first()
        try:
            rows = place(row.batch, user=user, row_id=row.pk, visit_id=visit.pk if visit else "",
                         reason=options["reason"], whole_panel=options["panel"])
        except PermissionDenied:
            raise CommandError(f"No staged result #{options['place']} in a batch of {user.get_username()}.") from None
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(json.dumps({"batch": row.batch_id, "visit": options["visit"], "placed": [
            {"row": r.pk, "status": r.status, "explanation": r.explanation} for r in rows]}, ensure_ascii=False))
