"""`manage.py health`: one exit code for the monitoring system (docs/DEPLOYMENT.md, "Monitoring").

Checks what an SAE alert needs to leave the building within the protocol's 24 hours (3.3): the
database answers and is migrated, Redis answers, a worker ran the beat's heartbeat recently (so
beat and at least one worker are alive), and e-mails are neither failing nor waiting unsent.
Exit status 0 when all pass, 1 otherwise; one line per check.
"""
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from edc.tasks import HEARTBEAT_KEY


class Command(BaseCommand):
    help = "Check database, migrations, Redis, the Celery heartbeat and e-mail deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--max-heartbeat-age", type=int, default=180,
                            help="Seconds since the last heartbeat before it counts as stale (default 180: "
                                 "three missed beats).")
        parser.add_argument("--max-pending-minutes", type=int, default=10,
                            help="An e-mail due longer ago than this and still unsent fails the check.")

    def handle(self, *args, max_heartbeat_age=180, max_pending_minutes=10, **options):
        checks = [("database", self.database), ("migrations", self.migrations), ("redis", self.redis),
                  ("heartbeat", lambda: self.heartbeat(max_heartbeat_age)),
                  ("e-mail", lambda: self.email(max_pending_minutes))]
        failed = []
        for name, check in checks:
            try:
                ok, detail = check()
            except Exception as error:  # a check that cannot run is a failed check
                ok, detail = False, f"{type(error).__name__}: {error}"
            self.stdout.write(f"{'OK  ' if ok else 'FAIL'} {name}: {detail}")
            if not ok:
                failed.append(name)
            if name == "database" and not ok:
                break  # the rest need the database
        if failed:
            raise CommandError(f"unhealthy: {', '.join(failed)}")

    def database(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_user")
            name, user = cursor.fetchone()
        return True, f"{name} as {user}"

    def migrations(self):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return False, f"{len(plan)} unapplied (run manage.py migrate)"
        return True, "all applied"

    def redis(self):
        probe = f"health-probe-{timezone.now().timestamp()}"
        cache.set("edc:health-probe", probe, timeout=60)
        if cache.get("edc:health-probe") != probe:
            return False, "a value written was not read back"
        return True, "read and write"

    def heartbeat(self, max_age: int):
        stamp = cache.get(HEARTBEAT_KEY)
        if not stamp:
            return False, "none recorded: is celery beat running, and at least one worker?"
        age = (timezone.now() - datetime.fromisoformat(stamp)).total_seconds()
        if age > max_age:
            return False, f"last {stamp}, {age:.0f} s ago (> {max_age} s): beat or every worker is down"
        return True, f"{age:.0f} s ago"

    def email(self, max_pending_minutes: int):
        from edc.models import Delivery

        now = timezone.now()
        emails = Delivery.objects.filter(channel=Delivery.Channel.EMAIL)
        failing = emails.filter(status__in=[Delivery.Status.FAILED, Delivery.Status.GAVE_UP],
                                next_attempt_at__gte=now - timedelta(hours=24))
        stuck = emails.filter(status=Delivery.Status.PENDING,
                              next_attempt_at__lt=now - timedelta(minutes=max_pending_minutes))
        problems = []
        if failing.exists():
            newest = failing.order_by("-next_attempt_at").first()
            gave_up = failing.filter(status=Delivery.Status.GAVE_UP).count()
            problems.append(f"{failing.count()} failing ({gave_up} gave up); last error: {newest.last_error[:200]}")
        if stuck.exists():
            problems.append(f"{stuck.count()} due more than {max_pending_minutes} min ago and not sent "
                            "(workers or beat down?)")
        if problems:
            return False, "; ".join(problems)
        return True, "none failing or waiting"
