"""Security headers on every page: a strict Content-Security-Policy the templates keep to,
Permissions-Policy, COOP, frame denial, nosniff, Referrer-Policy, and no caching of signed-in pages."""
import re
from pathlib import Path

import pytest
from django.urls import reverse

from edc import roles
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_signed_in_page_carries_every_header(clinician, client_for):
    r = client_for(clinician).get(reverse("participant_list"))
    assert r.status_code == 200
    csp = dict(part.strip().split(" ", 1) for part in r["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["img-src"] == "'self' data:" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in r["Content-Security-Policy"]
    assert "camera=()" in r["Permissions-Policy"] and "microphone=()" in r["Permissions-Policy"]
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_downloads_and_json_of_signed_in_users_are_not_cached_either(site, client_for):
    dm = factories.make_user(roles.DATA_MANAGER, site)
    c = client_for(dm)
    assert "no-store" in c.get(reverse("export_home"))["Cache-Control"]
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    enrol = c.get(reverse("two_factor_enrol"))  # verified already: a redirect, still not cached
    assert "no-store" in enrol["Cache-Control"]
    c2 = client_for(pi)
    assert "no-store" in c2.get(reverse("inbox"))["Cache-Control"]


def test_the_enrolment_page_with_its_secret_is_never_cached(site, client):
    pi = factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site)
    client.post(reverse("login"), {"username": pi.username, "password": factories.PASSWORD})
    r = client.get(reverse("two_factor_enrol"))
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


def test_anonymous_pages_and_errors_carry_the_policy_too(client):
    r = client.get(reverse("login"))
    assert "script-src 'self'" in r["Content-Security-Policy"] and r["X-Frame-Options"] == "DENY"
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404 and "frame-ancestors 'none'" in missing["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*["']""", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)
JS_URL = re.compile(r"javascript:", re.I)


def project_templates():
    for folder in ("templates", "edc", "randomization", "crf", "safety", "exports"):
        yield from (ROOT / folder).rglob("*.html")


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, STYLE_ATTR, STYLE_TAG, EVENT_HANDLER, JS_URL],
                         ids=["inline script", "style attribute", "style element", "event handler", "javascript: URL"])
def test_no_template_needs_what_the_policy_forbids(pattern):
    offenders = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in project_templates()
                 for m in pattern.finditer(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_scan_finds_an_inline_script():
    """Positive control for the scan above."""
    assert INLINE_SCRIPT.search('<p>x</p><script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" data-x="1"></script>')
    assert STYLE_ATTR.search('<img style="width:100%">') and EVENT_HANDLER.search('<a onclick="x()">')
