"""WSGI entry point (gunicorn edc.wsgi in production)."""
import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
application = get_wsgi_application()

# Load the URL conf (and every view module it imports) now rather than on the first request, then
# move all that start-up state out of the garbage collector's sight (gc.freeze): otherwise each full
# collection re-scans ~150,000 objects that live for the whole process — a ~100 ms pause every few
# requests on the pages that allocate most, e.g. the worklist at 10,000 participants.
get_resolver().url_patterns  # noqa: B018 - imports the views
gc.freeze()
