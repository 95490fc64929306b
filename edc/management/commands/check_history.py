"""`manage.py check_history`: rows the audit trail does not explain (edc.services.history_drift).

Exit status 1 and one line per row when any is found; run by beat daily (edc.tasks) and by
`manage.py health`."""
from django.core.management.base import BaseCommand, CommandError

from edc.services.history_drift import find_drift


class Command(BaseCommand):
    help = "List audited rows whose current values differ from their latest history row, or that have none."

    def handle(self, *args, **options):
        drift = find_drift()
        for d in drift:
            self.stdout.write(f"{d.model} {d.pk}: {d.problem}")
        if drift:
            raise CommandError(f"{len(drift)} row(s) not explained by the audit trail")
        self.stdout.write("every audited row matches its latest history row")
