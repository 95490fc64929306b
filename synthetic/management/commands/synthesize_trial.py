"""manage.py synthesize_trial --participants N --seed S [--sites K] [--pending P] [--force]"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from synthetic.trial import Refused, default_sites, generate


class Command(BaseCommand):
    help = ("Generate a realistic synthetic trial (participants, visits, eCRFs, safety, queries) in bulk. "
            "Refuses a database that already has participants unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("--participants", type=int, required=True, help="randomized participants")
        parser.add_argument("--seed", type=int, required=True, help="same seed and size: same data")
        parser.add_argument("--sites", type=int, help="default: 1 up to 96 participants, else 20")
        parser.add_argument("--pending", type=int, default=0,
                            help="also this many enrolled participants waiting for randomization")
        parser.add_argument("--today", type=date.fromisoformat,
                            help="the day the data end (YYYY-MM-DD; default today at the sites)")
        parser.add_argument("--force", action="store_true", help="add to a database that has participants")
        parser.add_argument("--beyond-design", action="store_true",
                            help="allow more than a stratum's capacity (load tests; default: refuse)")

    def handle(self, *args, participants, seed, sites, pending, today, force, beyond_design=False, **options):
        if participants < 1 or pending < 0 or (sites is not None and sites < 1):
            raise CommandError("--participants and --sites must be at least 1, --pending at least 0.")
        sites = sites or default_sites(participants)
        self.stdout.write(f"Synthesizing {participants} randomized participants at {sites} site(s), seed {seed}...")

        def progress(done, total):
            if options["verbosity"] > 1 or done == total or done % 2500 < 250:
                self.stdout.write(f"  {done}/{total} people written")

        try:
            summary = generate(participants=participants, seed=seed, sites=sites, force=force, pending=pending,
                               today=today, progress=progress, beyond_design=beyond_design)
        except Refused as error:
            raise CommandError(str(error))
        width = max(len(label) for label in summary.counts)
        for label, n in sorted(summary.counts.items()):
            self.stdout.write(f"  {label:<{width}}  {n:>9,}")
        self.stdout.write(f"  {'rows in all':<{width}}  {sum(summary.counts.values()):>9,}")
        self.stdout.write(self.style.SUCCESS(
            f"Done in {summary.seconds:.1f} s: {summary.participants} randomized of {summary.screened} screened "
            f"at {summary.sites} site(s)."))
