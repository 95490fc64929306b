"""Recording reads of participant data (docs/BLINDING.md "Read-access log"; docs/ARCHITECTURE.md rule 9).

Selectors that hand a participant's data to a page (`get_participant_for`, the form, visit, AE and SAE
lookups) call `note_read(user, participant_id)`; export downloads and the API note what they served.
The notes ride on the user object of the request; `ReadLogMiddleware` writes them, at the end of a
request that succeeded, as ONE multi-row INSERT, so a page costs one statement more whatever it read.
"""
import ipaddress

from django.conf import settings
from django.utils import timezone

ATTR = "_edc_reads"
TRUSTED_PROXIES = ("127.0.0.1", "::1")


def note_read(user, participant_id=None, detail: str = "") -> None:
    """Remember that `user` is reading `participant_id` (or, with None, what `detail` names)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    reads = getattr(user, ATTR, None)
    if reads is None:
        reads = {}
        setattr(user, ATTR, reads)
    reads.setdefault((participant_id, detail[:200]), None)


def reader_of(request):
    """Who read: the API token's user when the API set one, else the signed-in user."""
    return getattr(request, "edc_reader", None) or getattr(request, "user", None)


def client_address(request) -> str | None:
    """The client's address: the peer, or, when the peer is the trusted local proxy (nginx,
    docs/DEPLOYMENT.md), the last X-Forwarded-For entry, which that proxy appended itself (earlier
    entries come from the client and are ignored)."""
    peer = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if peer in getattr(settings, "EDC_TRUSTED_PROXIES", TRUSTED_PROXIES) and forwarded:
        last = forwarded.split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(last))
        except ValueError:
            return peer
    return peer


def flush(request, response) -> int:
    """Write the request's notes (one INSERT); nothing when the request failed or read nothing."""
    user = reader_of(request)
    reads = getattr(user, ATTR, None) if user is not None else None
    if not reads:
        return 0
    setattr(user, ATTR, None)
    if response.status_code >= 400:
        return 0
    from edc.models import ReadAccess

    match = getattr(request, "resolver_match", None)
    what = (match.url_name or match.view_name) if match else ""
    now = timezone.now()
    rows = [ReadAccess(at=now, user_id=user.pk, address=client_address(request), what=what[:100],
                       path=request.path[:500], participant_id=pid, detail=detail)
            for pid, detail in reads]
    ReadAccess.objects.bulk_create(rows)
    return len(rows)


class ReadLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        flush(request, response)
        return response
