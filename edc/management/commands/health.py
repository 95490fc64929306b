"""`manage.py health`: one exit code for the monitoring system (docs/DEPLOYMENT.md, "Monitoring").

Checks what an SAE alert needs to leave the building within the protocol's 24 hours (3.3): the
database answers and is migrated, Redis answers, a worker ran the beat's heartbeat recently (so
beat and at least one worker are alive), e-mails are neither failing nor waiting unsent, no SAE alert
e-mail has reached the escalation threshold of failures; and what the audit trail needs: the
application does not connect as a superuser or the owner of the history tables, and no clinical
row differs from its latest history row (docs/DEPLOYMENT.md, "Database roles").
Exit status 0 when all pass, 1 otherwise; one line per check (a WARN line does not fail it).
"""
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from edc.services import notifications
from edc.tasks import HEARTBEAT_KEY

WARN = "warn"


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
                  ("e-mail", lambda: self.email(max_pending_minutes)),
                  ("sae-alerts", self.sae_alerts), ("database-role", self.database_role),
                  ("history", self.history)]
        failed = []
        for name, check in checks:
            try:
                ok, detail = check()
            except Exception as error:  # a check that cannot run is a failed check
                ok, detail = False, f"{type(error).__name__}: {error}"
            if ok == WARN:  # reported, does not fail the exit status
                self.stdout.write(f"WARN {name}: {detail}")
                continue
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
        stuck_sending = emails.filter(status=Delivery.Status.SENDING,
                                      claimed_at__lt=now - notifications.claim_timeout())
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
        if stuck_sending.exists():
            problems.append(f"{stuck_sending.count()} claimed by a worker that died (reclaimed at the next sweep)")
        if problems:
            return False, "; ".join(problems)
        return True, "none failing or waiting"

    def sae_alerts(self):
        """Red while SAE alert e-mails have failed EDC_SAE_ESCALATE_AFTER_FAILURES times or more."""
        from safety.services.undelivered import undelivered

        state = undelivered()
        if state.count:
            since = f"{state.since:%Y-%m-%d %H:%M} UTC" if state.since else "their first attempt"
            return False, (f"{state.count} SAE alert e-mail(s) not delivered since {since} "
                           f"(PI and data manager told in-app); last error: {state.last_error[:200]}")
        return True, "every SAE alert e-mail delivered or within its first retries"

    def database_role(self):
        from edc.db_role import role_problems

        problems = role_problems()
        if problems:  # a warning here; `check --deploy` (edc.W001) is the gate before production
            return WARN, "; ".join(problems)
        return True, "least-privilege application role"

    def history(self):
        from edc.services.history_drift import find_drift

        drift = find_drift()
        if drift:
            sample = ", ".join(f"{d.model} {d.pk} ({d.problem})" for d in drift[:5])
            return False, f"{len(drift)} row(s) differ from their history (writes outside the application?): {sample}"
        return True, "every clinical row matches its latest history row"
