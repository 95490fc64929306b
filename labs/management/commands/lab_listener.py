"""Listen for HL7 v2 messages over MLLP and stage each (labs.mllp; docs/LAB_IMPORT.md).

    manage.py lab_listener --as USERNAME [--host 127.0.0.1] [--port 2575]
"""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from edc import roles
from edc.access import has_any_role
from labs.mllp import Server


class Command(BaseCommand):
    help = "Accept HL7 v2 ORU^R01 messages over MLLP, stage each and answer with an ACK."

    def add_arguments(self, parser):
        parser.add_argument("--as", dest="username", required=True,
                            help="the interface's data manager account (its sites are matched)")
        parser.add_argument("--host", default=settings.LAB_MLLP_HOST)
        parser.add_argument("--port", type=int, default=settings.LAB_MLLP_PORT)

    def handle(self, *args, username="", host="", port=0, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None or not has_any_role(user, {roles.DATA_MANAGER}):
            raise CommandError(f"{username!r} is not an active data manager.")
        server = Server((host, port), user=user, sites=list(user.sites.all()))
        self.stdout.write(f"MLLP listener on {host}:{server.server_address[1]} (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
