"""Example LIS files for the participants of this database (the README tour, a browser walk):
gives up to two randomized participants of the user's sites a hospital record number when they
have none (ZY + digits), and writes the files of labs/examples for their past visits' panels
(month 0 and, when it is past, month 1) into --out.

    manage.py lab_example_files --as datamanager --out var/lab-examples
"""
from datetime import datetime, time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crf.models import Visit
from edc import roles
from edc.access import has_any_role
from edc.models import Participant
from labs.examples import make_examples
from labs.models import HospitalRecordNumber
from labs.services.identifiers import reveal, set_hospital_record_number


class Command(BaseCommand):
    help = "Write example LIS files (CSV GBK/UTF-8, XLSX, HL7, FHIR) for participants of this database."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--out", default="var/lab-examples")

    def handle(self, *args, username="", out="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not has_any_role(user, {roles.DATA_MANAGER}):
            raise CommandError(f"{username!r} is not an active data manager.")
        chosen = list(Participant.objects.filter(site__staff=user, randomization__isnull=False)
                      .order_by("enrolled_at")[:2])
        if not chosen:
            raise CommandError("No randomized participant at this user's sites: randomize one first (README tour).")
        people, panels, now = [], [], timezone.now()
        for i, p in enumerate(chosen):
            record = HospitalRecordNumber.objects.filter(participant=p).first()
            if record is None:
                record = set_hospital_record_number(p, f"ZY{20250000 + i + 1:08d}", user=user,
                                                    reason="Example LIS files")
            people.append((reveal(record), p.screening_number, p.date_of_birth.isoformat(), p.sex))
            for col, code in ((2 * i, "m0"), (2 * i + 1, "m1")):
                visit = Visit.objects.get(participant=p, code=code)
                when = datetime.combine(max(visit.window_start, visit.target_date), time(7, 40 + i * 5))
                if timezone.make_aware(when) < now:
                    panels.append((i, code, when.strftime("%Y-%m-%d %H:%M"), f"R{when:%Y%m%d}-{i:02d}{code}", col))
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        for path in make_examples.write_all(target, people, panels):
            self.stdout.write(str(path))
