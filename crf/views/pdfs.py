"""The CRF book PDFs: the blank CRF book and a participant's filled casebook (crf.casebook_pdf).

Both print in the reader's language (set by the locale middleware). The casebook is looked up
within the reader's sites (404 otherwise, never 403: no existence leak) and never shows the arm.
"""
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from crf.casebook_pdf import blank_crf_book_pdf, casebook_pdf
from edc import roles
from edc.access import allow
from edc.selectors.participants import get_participant_for


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@allow(roles.SITE_STAFF)
@require_GET
def crf_book(request: HttpRequest) -> HttpResponse:
    return _pdf(blank_crf_book_pdf(), "crf-book-protocol-1.0.pdf")


@allow(roles.SITE_STAFF)
@require_GET
def casebook(request: HttpRequest, pk) -> HttpResponse:
    participant = get_participant_for(request.user, pk)
    return _pdf(casebook_pdf(participant, reader=request.user), f"casebook-{participant.label}.pdf")
