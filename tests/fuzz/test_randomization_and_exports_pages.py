"""The randomization administrator's upload (import preview and confirm, append), generate and stratum forms;
the pharmacist's bag form; randomize and emergency unblinding; the statistician's API with garbage
Authorization headers. Never 500, a refused post writes nothing (tests/fuzz/db.py)."""
import hashlib
import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st

from edc import roles
from randomization import forms as rforms
from randomization import sequence
from randomization.services.strata import ensure_default_strata
from tests import factories
from tests.fuzz.conftest import fuzz_client
from tests.fuzz.db import fuzz_page, posted, request
from tests.fuzz.strategies import NASTY_STRINGS, fuzz, nasty_text
from tests.fuzz.test_pure_modules import allocation_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(site):
    user = factories.make_user(roles.RANDOMIZATION_ADMIN, site)
    ensure_default_strata(user)
    return user


def good_csv(seed: int = 1, capacity: int = 24) -> bytes:
    rows = sequence.generate_list([(f"s{i}", capacity) for i in range(1, 5)], seed)
    return ("stratum,sequence,blind_code,arm\n" + "\n".join(
        f"{r.stratum},{r.sequence},{r.blind_code},{r.arm}" for r in rows) + "\n").encode()


def _upload(content: bytes, name: str = "list.csv"):
    return SimpleUploadedFile(name, content, "text/csv")


files = st.one_of(allocation_csv(), st.binary(max_size=400), st.just(good_csv()),
                  st.just(good_csv()).map(lambda b: b.replace(b",msc", b",MSC ", 3)),
                  st.just(good_csv()).map(lambda b: b[: len(b) // 2]))
names = st.one_of(st.just("list.csv"), st.sampled_from([n[:200] or "x" for n in NASTY_STRINGS if "\x00" not in n]))


@fuzz(40)
@given(content=files, name=names)
@example(content=b"stratum,sequence,blind_code,arm\ns1," + b"9" * 5000 + b",AB12,msc\n", name="list.csv")
@example(content=b"stratum,sequence,blind_code,arm\ns1,99999999999,AB12,msc\n", name="list.csv")
def test_import_preview_upload(admin, content, name):
    """Regression: a 5000-digit sequence number made the preview answer 500 (int() digit limit)."""
    response = posted(fuzz_client(admin), reverse("allocation_import"), {"file": _upload(content, name)})
    assert response.status_code == 200  # the preview: a report, never a write


def test_import_confirm_and_append(admin):
    c = fuzz_client(admin)
    data = good_csv()
    preview = c.post(reverse("allocation_import"), {"file": _upload(data)})
    assert preview.context["report"].ok
    sha = hashlib.sha256(data).hexdigest()
    fuzz_page(c, reverse("allocation_import"), {"confirm": "1", "sha256": sha}, examples=15)
    c.post(reverse("allocation_import"), {"confirm": "1", "sha256": sha})  # now the active list

    extra = b"stratum,sequence,blind_code,arm\ns1,25,ZZZZ-2345,msc\ns1,26,ZZZZ-2346,placebo\n"

    @fuzz(30)
    @given(content=st.one_of(files, st.just(extra)), reason=st.one_of(st.just("more participants"), nasty_text))
    def append(content, reason):
        posted(c, reverse("allocation_append"), {"file": _upload(content), "reason": reason})

    assert posted(c, reverse("allocation_append"), {"file": _upload(extra), "reason": "more"}).status_code == 302
    append()


def test_generate_and_stratum_forms(admin):
    from randomization.models import Stratum

    c = fuzz_client(admin)
    fuzz_page(c, reverse("allocation_generate"), {"seed": str(2**64 + 13)}, form=rforms.GenerateForm(),
              today=timezone.localdate(), examples=15)
    stratum = Stratum.objects.order_by("order").first()
    fuzz_page(c, reverse("stratum_edit", args=[stratum.pk]),
              {"name": "GC + MPAA", "capacity": "30", "reason_for_change": "protocol amendment 2"},
              form=rforms.StratumForm(), today=timezone.localdate(), examples=20)


def test_bag_randomize_and_unblind_forms(site, clinician):
    factories.strata_and_list()
    randomized = factories.randomized_participant(site, clinician)
    pharmacist = factories.make_user(roles.PHARMACIST, site)
    checker = factories.make_user(roles.PHARMACIST, site)
    bag = {"body_weight_kg": "62.5", "product_lot": "LOT-1", "cell_count": "62500000", "viability_pct": "92.0",
           "prepared_at": timezone.localtime(timezone.now()).strftime("%Y-%m-%dT%H:%M"),
           "checker_username": checker.username, "checker_password": factories.PASSWORD, "checker_otp": ""}
    form = rforms.BagForm()
    fuzz_page(fuzz_client(pharmacist), reverse("bag_prepare", args=[randomized.pk, "m0"]), bag, form=form,
              today=timezone.localdate(), examples=25)

    enrolled = factories.enrolled_participant(site, clinician)
    fuzz_page(fuzz_client(clinician), reverse("randomize", args=[enrolled.pk]), {"confirm": "on"},
              form=rforms.RandomizeForm(), today=timezone.localdate(), examples=10)
    pi = factories.grant_code_break(factories.make_user(roles.PRINCIPAL_INVESTIGATOR, site))
    fuzz_page(fuzz_client(pi), reverse("unblind", args=[randomized.pk]),
              {"reason": "Anaphylaxis, the treating physician needs the arm", "password": factories.PASSWORD,
               "code": factories.totp_code(factories.authenticator(pi)), "reveal_to_name": "",
               "reveal_to_email": ""},
              form=rforms.UnblindingForm(), today=timezone.localdate(), examples=15)
    fuzz_page(fuzz_client(clinician), reverse("unblinding_request", args=[randomized.pk]),
              {"reason": "Anaphylaxis, the treating physician needs the arm", "treating_physician": "Dr Liu"},
              form=rforms.UnblindingRequestForm(), today=timezone.localdate(), examples=10)


# --- the export API -------------------------------------------------------------------------------

@pytest.fixture
def token(site):
    from exports.models import ApiToken

    statistician = factories.make_user(roles.STATISTICIAN, site)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=statistician, key_sha256=hashlib.sha256(key.encode()).hexdigest())
    return key


headers = st.one_of(
    nasty_text, st.text(alphabet=st.characters(codec="latin-1"), max_size=80),
    st.sampled_from(["Token", "Token ", "Bearer x", "token abc", "Token \x00", "Token " + "a" * 5000, "Basic Og=="]),
    st.text(max_size=40).map(lambda s: "Token " + s))


@fuzz(40)
@given(header=st.one_of(st.none(), headers), name=st.sampled_from(["participants", "visits", "x", "a" * 300, "-"]),
       use_real_token=st.booleans())
def test_the_api_refuses_garbage_authorization(token, header, name, use_real_token):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    if use_real_token and header is not None:
        extra = {"HTTP_AUTHORIZATION": f"Token {token}{header[:3]}"}
    response = request(fuzz_client_anonymous(), "get", f"/api/datasets/{name}.csv", **extra)
    assert response.status_code in (200, 401, 404)
    if response.status_code == 200:
        assert header is not None and extra["HTTP_AUTHORIZATION"].removeprefix("Token ").strip() == token
        b"".join(response.streaming_content)  # the rows stream without error


def test_a_real_token_still_works(token):
    response = request(fuzz_client_anonymous(), "get", "/api/datasets/participants.csv",
                       HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200


def fuzz_client_anonymous():
    from django.test import Client
    return Client(raise_request_exception=False)
