"""Error pages that look like the app, in the reader's language (docs/WORKFLOW.md "Error pages").

templates/403.html, 404.html and 500.html serve Django's own handlers (DEBUG off, as in
production). This middleware also keeps Django's debug pages away from people using a development
or demo server: a view's Http404 or PermissionDenied, and a URL that matches nothing, answer with
the same pages. The 404 page never says whether the thing exists elsewhere (docs/ARCHITECTURE.md
rule 6: another site's participant answers 404, nothing more)."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

MARK = "_edc_error_page"


def _page(request, status: int):
    response = render(request, f"{status}.html", status=status)
    setattr(response, MARK, True)
    return response


class ErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 404 and not getattr(response, MARK, False)
                and response.get("Content-Type", "").startswith("text/html")
                and not getattr(response, "streaming", False)):
            return _page(request, 404)  # e.g. the debug page of a URL that matches nothing
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return _page(request, 404)
        if isinstance(exception, PermissionDenied):
            return _page(request, 403)
        return None
