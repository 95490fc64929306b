"""manage.py refresh_sample_draws: what the nightly Celery beat task does (monitoring.draws), e.g.
after loading a trial in bulk."""
import json

from django.core.management.base import BaseCommand

from monitoring import draws


class Command(BaseCommand):
    help = "Keep the SDV sample's draw of every form created so far (docs/CENTRAL_MONITORING.md, Scale)."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(draws.refresh_now()))
