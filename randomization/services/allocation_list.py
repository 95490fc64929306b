"""The allocation list (protocol 2.7): generated here by stratified permuted blocks from a secret,
recorded seed (docs/BLINDING.md "Seeds"), or imported from the statistician's CSV after a dry-run
preview. Frozen once any row is used; after that rows may only be appended, with a reason."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from edc.audit import save_created
from randomization import csv_import, sequence
from randomization.models import AllocationList, AllocationRow, Stratum

BLOCK_SIZES = (2, 4)


def active_list() -> AllocationList | None:
    return AllocationList.objects.filter(active=True).first()


def list_in_use(allocation_list: AllocationList | None) -> bool:
    return bool(allocation_list) and allocation_list.rows.filter(used_at__isnull=False).exists()


def _retire_unused_list(user) -> None:
    current = active_list()
    if current is None:
        return
    if list_in_use(current):
        raise ValidationError(_("The allocation list is in use and frozen; append rows instead."))
    current.active = False
    current._history_user = user
    current._change_reason = "Replaced before first use"
    current.save()


def _store(user, rows, **list_fields) -> AllocationList:
    strata = {s.code: s for s in Stratum.objects.all()}
    new = save_created(AllocationList(created_by=user, **list_fields), user)
    bulk_create_with_history([
        AllocationRow(allocation_list=new, stratum=strata[r.stratum], sequence=r.sequence,
                      block=r.block, blind_code=r.blind_code, arm=r.arm) for r in rows],
        AllocationRow, default_user=user, default_change_reason="List created")
    return new


def generate(*, user, seed: int | None = None) -> AllocationList:
    """A new list from a secret seed (`sequence.new_seed`, 128 bits from `secrets`) or a typed one of at
    least `sequence.MIN_SEED_BITS` bits; a weaker typed seed is refused and nothing is saved."""
    if seed is None:
        seed = sequence.new_seed()
    elif not sequence.seed_is_strong(seed):
        raise ValidationError({"seed": _(
            "A typed seed must be a whole number of at least %(bits)d bits (from %(min)s up); whoever "
            "knows the seed knows every arm. Leave the field empty for a secret random seed. Nothing "
            "was generated.") % {"bits": sequence.MIN_SEED_BITS, "min": f"{2**63:,}".replace(",", " ")}})
    return _generate(user, seed)


def generate_from_published_seed(*, user, seed: int) -> AllocationList:
    """Demo and tests only: a list from a known, published seed (e.g. the demo's), which would be no
    secret at all in a real trial. No page or command of the production trial calls this."""
    return _generate(user, seed)


def _generate(user, seed: int) -> AllocationList:
    strata = list(Stratum.objects.order_by("order"))
    if not strata:
        raise ValidationError(_("Define the strata first."))
    rows = sequence.generate_list([(s.code, s.capacity) for s in strata], seed, BLOCK_SIZES)
    with transaction.atomic():
        _retire_unused_list(user)
        return _store(user, rows, source=AllocationList.Source.GENERATED, seed=str(seed),
                      block_sizes=",".join(map(str, BLOCK_SIZES)))


def used_blind_codes() -> set[str]:
    """Codes of the active list (the ones that can reach a participant)."""
    return set(AllocationRow.objects.filter(allocation_list__active=True)
               .values_list("blind_code", flat=True))


def preview_import(data: bytes) -> csv_import.ImportReport:
    """Dry run: validate the file against the strata; nothing is written."""
    capacity = {s.code: s.capacity for s in Stratum.objects.all()}
    # A new list replaces an unused one, so only codes already given to participants count.
    existing = set(AllocationRow.objects.filter(used_at__isnull=False).values_list("blind_code", flat=True))
    return csv_import.parse_allocation_csv(data, strata_capacity=capacity,
                                           existing_blind_codes=existing)


def import_list(*, user, data: bytes, file_name: str) -> AllocationList:
    report = preview_import(data)
    if not report.ok:
        raise ValidationError(_("The file has errors; nothing was imported."))
    with transaction.atomic():
        _retire_unused_list(user)
        return _store(user, report.rows, source=AllocationList.Source.IMPORTED,
                      file_name=file_name[:200], file_sha256=report.sha256)


def append_rows(*, user, data: bytes, reason: str) -> int:
    """Add rows to the frozen list (e.g. extra capacity). Same CSV format; sequence numbers must
    continue each stratum without gaps."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for appending rows.")})
    current = active_list()
    if current is None:
        raise ValidationError(_("There is no allocation list to append to."))
    report = csv_import.parse_allocation_csv(
        data, strata_capacity={s.code: 0 for s in Stratum.objects.all()},
        existing_blind_codes=used_blind_codes())
    # Appended rows continue a stratum (checked below), so they do not start at 1.
    if [e for e in report.errors if e.code != "gap"]:
        raise ValidationError(_("The file has errors; nothing was appended."))
    strata = {s.code: s for s in Stratum.objects.all()}
    with transaction.atomic():
        for code in {r.stratum for r in report.rows}:
            last = (AllocationRow.objects.select_for_update()
                    .filter(allocation_list=current, stratum=strata[code])
                    .order_by("-sequence").values_list("sequence", flat=True).first() or 0)
            numbers = sorted(r.sequence for r in report.rows if r.stratum == code)
            if numbers != list(range(last + 1, last + 1 + len(numbers))):
                raise ValidationError(_("Stratum %(s)s must continue at %(n)d without gaps.") % {
                    "s": code, "n": last + 1})
        for r in report.rows:
            row = AllocationRow(allocation_list=current, stratum=strata[r.stratum], sequence=r.sequence,
                                blind_code=r.blind_code, arm=r.arm, appended_reason=reason)
            save_created(row, user, reason)
    return len(report.rows)
