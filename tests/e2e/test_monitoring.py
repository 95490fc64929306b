"""In the browser: the monitor opens central monitoring on a synthetic two-site trial — every
indicator has its value and its trend chart, in English and in Chinese, with no CSP violation — clicks
through to the participants behind an indicator, and verifies a consent from the SDV worklist."""
import pytest

from edc import roles
from edc.models import Site
from monitoring.models import RecordVerification
from synthetic.trial import generate
from tests import factories

from .conftest import shot
from .test_enrolment_path import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_monitor_reads_the_indicators_and_works_the_plan(page):
    generate(participants=12, seed=9, sites=2)
    monitor = factories.make_user(roles.MONITOR, *Site.objects.all())
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, monitor)
    page.click("nav >> text=Monitoring")
    page.wait_for_selector("text=Central monitoring: key risk indicators")
    assert page.locator("tr[data-kri]").count() == 19
    assert page.locator("tr[data-kri] svg.trend").count() >= 15  # every indicator with data has its trend
    shot(page, "40-monitoring-indicators-en")
    page.click("text=Visits missed or overdue")
    page.wait_for_selector("svg.trend.big")
    shot(page, "41-monitoring-indicator-en")
    page.click("text=SDV worklist")
    page.click("text=Mark verified against source >> nth=0")
    page.wait_for_selector("text=Marked verified against source.")
    assert RecordVerification.objects.filter(verified_by=monitor).count() == 1
    page.click("text=简体中文")
    page.click("text=关键风险指标")
    page.wait_for_selector("text=中心化监查：关键风险指标")
    shot(page, "42-monitoring-indicators-zh")
    page.set_viewport_size({"width": 820, "height": 1100})  # a ward tablet: the tables scroll in their box
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "43-monitoring-indicators-zh-820")
    assert violations == []
