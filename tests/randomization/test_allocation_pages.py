"""Allocation list pages (randomization administrator): generate, import with a dry-run preview,
append with a reason, per-stratum status. Bad files get a clear error and change nothing."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from edc import roles
from randomization import sequence
from randomization.models import AllocationList, AllocationRow
from randomization.services.strata import ensure_default_strata
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(site):
    user = factories.make_user(roles.RANDOMIZATION_ADMIN, site)
    ensure_default_strata(user)
    return user


def csv_bytes(rows) -> bytes:
    lines = ["stratum,sequence,blind_code,arm"]
    lines += [f"{r.stratum},{r.sequence},{r.blind_code},{r.arm}" for r in rows]
    return ("\n".join(lines) + "\n").encode()


def good_file(seed=1):
    return csv_bytes(sequence.generate_list([(f"s{i}", 24) for i in range(1, 5)], seed))


def upload(client, data: bytes, name="list.csv"):
    return client.post(reverse("allocation_import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


STRONG = str(2**64 + 13)  # a typed seed of 65 bits


def test_generate_records_the_seed_and_is_reproducible(admin, client_for):
    c = client_for(admin)
    c.post(reverse("allocation_generate"), {"seed": STRONG})
    first = list(AllocationRow.objects.order_by("stratum__order", "sequence")
                 .values_list("blind_code", "arm"))
    assert AllocationList.objects.get(active=True).seed == STRONG and len(first) == 96
    c.post(reverse("allocation_generate"), {"seed": f" {STRONG} "})  # replace the unused list
    assert AllocationList.objects.count() == 2
    second = list(AllocationRow.objects.filter(allocation_list__active=True)
                  .order_by("stratum__order", "sequence").values_list("blind_code", "arm"))
    # the arms are bit-for-bit the same from the same seed; the blind codes are fresh (secrets)
    assert [a for _, a in second] == [a for _, a in first]
    assert not {code for code, _ in second} & {code for code, _ in first}


def test_an_empty_seed_is_a_secret_128_bit_one_shown_only_to_the_administrator(admin, client_for):
    r = client_for(admin).post(reverse("allocation_generate"), {"seed": ""}, follow=True)
    seed = AllocationList.objects.get(active=True).seed
    assert int(seed).bit_length() == 128 and seed.encode() in r.content


@pytest.mark.parametrize("seed, message", [
    ("424242", b"at least 64 bits"),
    (str(2**63 - 1), b"at least 64 bits"),  # 63 bits
    (str(2**256), b"at least 64 bits"),  # longer than any real seed: a typing error
    ("-5", b"whole number (digits only)"),
    ("12ab", b"whole number (digits only)"),
    ("1" * 81, b"whole number (digits only)"),
])
def test_a_weak_or_malformed_typed_seed_is_refused_and_nothing_is_saved(admin, client_for, seed, message):
    r = client_for(admin).post(reverse("allocation_generate"), {"seed": seed}, follow=True)
    assert message in r.content
    assert AllocationList.objects.count() == 0 and AllocationRow.objects.count() == 0


def test_the_service_refuses_a_weak_seed_whoever_calls_it(admin):
    from django.core.exceptions import ValidationError

    from randomization.services import allocation_list
    with pytest.raises(ValidationError, match="at least 64 bits"):
        allocation_list.generate(user=admin, seed=20241001)  # the demo's published seed
    assert AllocationList.objects.count() == 0


def test_the_overview_shows_status_per_stratum(admin, client_for):
    factories.strata_and_list(seed=2)
    r = client_for(admin).get(reverse("allocation_overview"))
    assert r.status_code == 200 and b'data-stratum="s1"' in r.content and b"24" in r.content


def test_import_previews_then_imports_with_the_file_hash(admin, client_for):
    c = client_for(admin)
    data = good_file()
    r = upload(c, data)
    assert r.status_code == 200 and b"Import this list" in r.content
    assert AllocationList.objects.count() == 0  # dry run wrote nothing
    sha = r.context["report"].sha256
    r = c.post(reverse("allocation_import"), {"confirm": "1", "sha256": sha})
    imported = AllocationList.objects.get(active=True)
    assert imported.file_sha256 == sha and imported.rows.count() == 96


@pytest.mark.parametrize("data, code", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "encoding"),
    (b"stratum,sequence,code\ns1,1,AAAA-BBBB\n", "columns"),
    (b'stratum,sequence,blind_code,arm\ns1,1,"AAAA-BBBB,msc\n', "malformed"),
])
def test_bad_files_get_a_clear_error_and_nothing_is_saved(admin, client_for, data, code):
    r = upload(client_for(admin), data)
    assert r.status_code == 200
    if r.context["report"] is None:  # the upload itself was refused by the form
        assert code == "empty" and b"The submitted file is empty" in r.content
    else:
        codes = [e.code for e in r.context["report"].errors]
        assert code in codes or (code == "encoding" and "binary" in codes)
        assert b"nothing was saved" in r.content
    assert AllocationList.objects.count() == 0 and AllocationRow.objects.count() == 0


def test_a_list_with_gaps_is_refused(admin, client_for):
    rows = [r for r in sequence.generate_list([(f"s{i}", 24) for i in range(1, 5)], 3)
            if not (r.stratum == "s2" and r.sequence == 7)]
    r = upload(client_for(admin), csv_bytes(rows))
    assert "gap" in [e.code for e in r.context["report"].errors]
    assert AllocationRow.objects.count() == 0


def test_confirming_an_unknown_preview_imports_nothing(admin, client_for):
    r = client_for(admin).post(reverse("allocation_import"), {"confirm": "1", "sha256": "0" * 64},
                               follow=True)
    assert b"preview has expired" in r.content and AllocationList.objects.count() == 0


def test_a_list_in_use_is_frozen_and_only_appended_with_a_reason(site, admin, clinician, client_for):
    factories.strata_and_list(seed=4)
    factories.randomized_participant(site, clinician)
    c = client_for(admin)
    r = c.post(reverse("allocation_generate"), {"seed": STRONG}, follow=True)
    assert b"in use and frozen" in r.content and AllocationList.objects.count() == 1
    extra = b"stratum,sequence,blind_code,arm\ns1,25,ZZZZ-2345,msc\ns1,26,ZZZZ-2346,placebo\n"
    r = c.post(reverse("allocation_append"), {"file": SimpleUploadedFile("x.csv", extra), "reason": ""},
               follow=True)
    assert b"required" in r.content and AllocationRow.objects.count() == 96
    r = c.post(reverse("allocation_append"),
               {"file": SimpleUploadedFile("x.csv", extra), "reason": "DSMB approved 2 spare rows"},
               follow=True)
    assert b"2 rows appended" in r.content and AllocationRow.objects.count() == 98
    row = AllocationRow.objects.get(blind_code="ZZZZ-2345")
    assert row.history.get().history_change_reason == "DSMB approved 2 spare rows"


def test_appended_rows_must_continue_the_stratum(site, admin, clinician, client_for):
    factories.strata_and_list(seed=4)
    factories.randomized_participant(site, clinician)
    bad = b"stratum,sequence,blind_code,arm\ns1,30,ZZZZ-2345,msc\n"
    r = client_for(admin).post(reverse("allocation_append"),
                               {"file": SimpleUploadedFile("x.csv", bad), "reason": "spare"}, follow=True)
    assert b"must continue at 25" in r.content and AllocationRow.objects.count() == 96
