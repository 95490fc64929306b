"""The system administrator's access tool, run on the server (docs/ACCESS_CONTROL.md).

Accounts with unblinded roles (randomization administrator, pharmacist), data managers, staff,
superusers and the code-break permission (protocol 2.8.2) are managed only here, never in the
application. Every change needs --reason and goes into the grant log, marked as done by the system
administrator with the server's OS account and host name.

    manage.py access show USER
    manage.py access grant USER role ROLE --reason "..."
    manage.py access revoke USER site SITE_CODE --reason "..."
    manage.py access grant USER code-break --reason "..."
    manage.py access grant USER staff|superuser|active --reason "..."
    manage.py access create USER --role ROLE --site CODE [--email E --first-name F --last-name L] --reason "..."
    manage.py access set-password USER --reason "..."    (asks for the password twice)
    manage.py access reset-2fa USER --reason "..."
"""
import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from edc.access import user_roles
from edc.models import AccessChange, Site, User
from edc.services import grants, two_factor

WHAT = ("role", "site", "code-break", "trial-wide-export", "staff", "superuser", "active")


class Command(BaseCommand):
    help = "Grant or withdraw access as the system administrator, with a reason (grant log)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="Roles, sites, flags and the last changes of a user.")
        show.add_argument("username")
        for name in ("grant", "revoke"):
            p = sub.add_parser(name, help=f"{name} a role, site, code-break, staff, superuser or active")
            p.add_argument("username")
            p.add_argument("what", choices=WHAT)
            p.add_argument("value", nargs="?", default="", help="role name or site code")
            p.add_argument("--reason", required=True)
        create = sub.add_parser("create", help="Create an account with one role and its sites.")
        create.add_argument("username")
        create.add_argument("--role", required=True)
        create.add_argument("--site", action="append", default=[], dest="sites")
        create.add_argument("--email", default="")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")
        create.add_argument("--password", default=None, help="omit to be asked (not echoed)")
        create.add_argument("--reason", required=True)
        for name in ("set-password", "reset-2fa"):
            p = sub.add_parser(name)
            p.add_argument("username")
            p.add_argument("--reason", required=True)
            if name == "set-password":
                p.add_argument("--password", default=None, help="omit to be asked (not echoed)")

    def handle(self, *args, action, **options):
        by = grants.SystemAdministrator.here()
        try:
            if action == "create":
                self.create(by, **options)
            else:
                user = self.user(options["username"])
                if action == "show":
                    self.show(user)
                elif action in ("grant", "revoke"):
                    self.change(by, user, action == "grant", options["what"], options["value"],
                                options["reason"])
                elif action == "set-password":
                    grants.set_password(user, options["password"] or self.ask_password(), by=by,
                                        reason=options["reason"])
                    self.stdout.write(f"Password of {user.username} set.")
                elif action == "reset-2fa":
                    record = two_factor.reset_devices(user, by=by, reason=options["reason"])
                    self.stdout.write(f"{record.devices_removed} device(s) of {user.username} removed.")
        except ValidationError as error:
            raise CommandError("; ".join(error.messages))

    def user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        return user

    def site(self, code: str) -> Site:
        site = Site.objects.filter(code=code).first()
        if site is None:
            raise CommandError(f"No site with code {code!r}.")
        return site

    def change(self, by, user, grant: bool, what: str, value: str, reason: str) -> None:
        if what in ("role", "site") and not value:
            raise CommandError(f"Name the {what}.")
        if what == "role":
            done = (grants.grant_role if grant else grants.revoke_role)(user, value, by=by, reason=reason)
        elif what == "site":
            site = self.site(value)
            done = (grants.grant_site if grant else grants.revoke_site)(user, site, by=by, reason=reason)
        elif what == "code-break":
            done = grants.set_code_break(user, grant, by=by, reason=reason)
        elif what == "trial-wide-export":
            done = grants.set_trial_wide_export(user, grant, by=by, reason=reason)
        else:
            setter = {"staff": grants.set_staff, "superuser": grants.set_superuser, "active": grants.set_active}
            done = setter[what](user, grant, by=by, reason=reason)
        verb = "granted to" if grant else "withdrawn from"
        self.stdout.write(f"{what} {value} {verb} {user.username}." if done
                          else f"Nothing to change: {user.username} already so.")

    def create(self, by, username, role, sites, email, first_name, last_name, password, reason, **_):
        user = grants.create_account(
            by=by, username=username, password=password or self.ask_password(), role=role,
            sites=[self.site(code) for code in sites], reason=reason, email=email,
            first_name=first_name, last_name=last_name)
        self.stdout.write(f"Account {user.username} created ({role}; sites {', '.join(sites) or 'none'}).")

    def ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first

    def show(self, user) -> None:
        self.stdout.write(f"{user.username} ({user.printed_name}) active={user.is_active} "
                          f"staff={user.is_staff} superuser={user.is_superuser} "
                          f"code-break={grants.holds_code_break(user)}")
        self.stdout.write(f"  roles: {', '.join(sorted(user_roles(user))) or '-'}")
        self.stdout.write(f"  sites: {', '.join(user.sites.values_list('code', flat=True)) or '-'}")
        for c in AccessChange.objects.filter(user=user)[:20]:
            self.stdout.write(f"  {c.changed_at:%Y-%m-%d %H:%M} {c.action} {c.kind} {c.value} "
                              f"by {c.changed_by_label}: {c.reason}")
