"""Sites and the people who work at them, the strata and an allocation list big enough for the
trial being generated (made by the real sequence module: stratified permuted blocks of 2 or 4,
blind codes from their own stream; the arm lives only in AllocationRow)."""
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection

from edc import roles
from edc.clinical.units import CREATININE_MG_DL, CREATININE_UMOL_L, UPCR_G_G, UPCR_MG_G, UPCR_MG_MMOL
from edc.models import ExternalContact, Site, User
from edc.services.grants import log_setup
from edc.services.people import ensure_roles
from randomization import sequence
from randomization.models import AllocationList, AllocationRow
from randomization.services.allocation_list import BLOCK_SIZES
from randomization.services.strata import ensure_default_strata

from .context import Ctx, SiteStaff
from .rng import Rng

DEMO_PASSWORD = "lupus-trial-demo"  # the demo's password (edc load_demo_trial), for every synthetic user

# (code, name, participant prefix); the first is the demo's site, so its users see the data.
SITES = [
    ("plagh", "Chinese PLA General Hospital, Nephrology", "BJ"),
    ("pumch", "Peking Union Medical College Hospital", "PU"),
    ("ruijin", "Ruijin Hospital, Shanghai", "RJ"),
    ("huashan", "Huashan Hospital, Fudan University", "HS"),
    ("wchsu", "West China Hospital, Sichuan University", "WC"),
    ("xiangya", "Xiangya Hospital, Central South University", "XY"),
    ("zsh", "Zhongshan Hospital, Fudan University", "ZS"),
    ("pkuph", "Peking University People's Hospital", "PK"),
    ("tongji", "Tongji Hospital, Wuhan", "TJ"),
    ("union", "Union Hospital, Wuhan", "UW"),
    ("sysu1", "First Affiliated Hospital, Sun Yat-sen University", "SY"),
    ("zju1", "First Affiliated Hospital, Zhejiang University", "ZJ"),
    ("jsph", "Jiangsu Province Hospital", "JS"),
    ("qilu", "Qilu Hospital, Shandong University", "QL"),
    ("xijing", "Xijing Hospital, Xi'an", "XJ"),
    ("cmu1", "First Hospital of China Medical University", "CM"),
    ("nfh", "Nanfang Hospital, Southern Medical University", "NF"),
    ("renji", "Renji Hospital, Shanghai", "RE"),
    ("tmu", "Tianjin Medical University General Hospital", "TM"),
    ("cqmu1", "First Affiliated Hospital, Chongqing Medical University", "CQ"),
    ("hbmu2", "Second Hospital of Hebei Medical University", "HB"),
    ("xjmu1", "First Affiliated Hospital, Xinjiang Medical University", "XM"),
    ("gxmu1", "First Affiliated Hospital, Guangxi Medical University", "GX"),
    ("ahmu1", "First Affiliated Hospital, Anhui Medical University", "AH"),
]
SITE_ROLES = [("clinician", roles.CLINICIAN), ("coordinator", roles.COORDINATOR),
              ("pi", roles.PRINCIPAL_INVESTIGATOR), ("pharmacist", roles.PHARMACIST),
              ("pharmacist2", roles.PHARMACIST)]
TRIAL_ROLES = [("monitor", roles.MONITOR), ("datamanager", roles.DATA_MANAGER),
               ("statistician", roles.STATISTICIAN), ("randadmin", roles.RANDOMIZATION_ADMIN)]
CONTACTS = [("Sponsor safety desk", ExternalContact.Organisation.SPONSOR, "safety@sponsor.example.org"),
            ("CRO pharmacovigilance", ExternalContact.Organisation.CRO, "pv@cro.example.org"),
            ("Ethics committee office", ExternalContact.Organisation.ETHICS, "ethics@hospital.example.org")]
SURNAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
            "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo"]
GIVEN = ["Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Hao", "Lin", "Jun", "Xin", "Ying", "Tao", "Hui", "Qiang"]


def ensure_sites(count: int) -> list[Site]:
    if count > len(SITES):
        raise ValueError(f"at most {len(SITES)} sites")
    out = []
    for code, name, prefix in SITES[:count]:
        site = Site.objects.filter(code=code).first() or Site.objects.create(
            code=code, name=name, participant_prefix=prefix)
        out.append(site)
    return out


class _People:
    def __init__(self, rng: Rng):
        self.rng = rng
        self.password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 is slow on purpose
        self.groups = ensure_roles()

    def user(self, username: str, role: str, sites: list[Site]) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create(
                username=username, password=self.password, first_name=self.rng.choice(GIVEN),
                last_name=self.rng.choice(SURNAMES), email=f"{username}@example.org",
                is_staff=role == roles.DATA_MANAGER)
            user.groups.add(self.groups[role])
            log_setup(user, role, sites)  # the grant log, as for the demo's people
        else:
            log_setup(user, None, [s for s in sites if not user.sites.filter(pk=s.pk).exists()])
        user.sites.add(*sites)
        return user

    def at_site(self, site: Site, role: str, nth: int, username: str) -> User:
        """The site's nth user with `role` (e.g. the demo's `clinician`), else a new one."""
        existing = list(User.objects.filter(groups=self.groups[role], sites=site, is_active=True)
                        .order_by("id")[:nth + 1])
        return existing[nth] if len(existing) > nth else self.user(username, role, [site])


def ensure_staff(ctx: Ctx, sites: list[Site], rng: Rng) -> None:
    people = _People(rng)
    for i, site in enumerate(sites):
        found = {}
        for name, role in SITE_ROLES:
            nth = 1 if name == "pharmacist2" else 0
            found[name] = people.at_site(site, role, nth, f"{site.code}-{name}")
        # The demo site reports in g/g and µmol/L; others as their laboratory does.
        creatinine = CREATININE_UMOL_L if i == 0 else rng.pick([(CREATININE_UMOL_L, 85), (CREATININE_MG_DL, 15)])
        upcr = UPCR_G_G if i == 0 else rng.pick([(UPCR_G_G, 60), (UPCR_MG_MMOL, 25), (UPCR_MG_G, 15)])
        ctx.staff[site.pk] = SiteStaff(site=site, creatinine_unit=creatinine, upcr_unit=upcr, **found)
    trial = {name: people.user(f"syn-{name}", role, sites) for name, role in TRIAL_ROLES}
    ctx.monitor, ctx.data_manager, ctx.randadmin = trial["monitor"], trial["datamanager"], trial["randadmin"]
    for name, organisation, email in CONTACTS:
        ExternalContact.objects.get_or_create(email=email, defaults={
            "name": name, "organisation": organisation,
            "receives_unblinding": organisation != ExternalContact.Organisation.ETHICS})


def allocation_rows(ctx: Ctx, needed: dict[str, int], seed: int) -> dict[str, list[AllocationRow]]:
    """Unused allocation rows per stratum code, in sequence order, at least `needed` of each
    (plus headroom). Uses the active list's unused rows first; a list never used is replaced; a
    list in use gets rows appended (sequence numbers continue, blind codes stay unique)."""
    admin = ctx.randadmin
    strata = {s.code: s for s in ensure_default_strata(admin)}
    current = AllocationList.objects.filter(active=True).first()
    if current is not None and not current.rows.filter(used_at__isnull=False).exists():
        current.active = False
        current._history_user, current._change_reason = admin, "Replaced before first use"
        current.save()
        current = None
    unused = {code: list(AllocationRow.objects.filter(allocation_list=current, stratum=s, used_at__isnull=True)
                         .order_by("sequence")) if current else [] for code, s in strata.items()}
    for row in (r for rows in unused.values() for r in rows):
        row.stored = True  # already in the database: mark_used_rows writes its used_at
    extra = {code: max(0, n + max(8, n // 10) - len(unused[code])) for code, n in needed.items()}
    extra = {code: n + (-n % 4) for code, n in extra.items() if n}  # whole blocks of 4
    if not extra:
        return unused
    w = ctx.writer
    made_at = ctx.at(ctx.first_day - timedelta(days=60), 10)  # before the first screening
    if current is None:
        current = w.add(AllocationList(id=ctx.uuid_rng.uuid(), source=AllocationList.Source.GENERATED, seed=seed,
                                       block_sizes=",".join(map(str, BLOCK_SIZES)), created_by=admin,
                                       created_at=made_at, note=f"Synthetic trial data (seed {seed})"),
                        at=made_at, user=admin)
    taken = set(AllocationRow.objects.filter(allocation_list=current).values_list("blind_code", flat=True))
    listed = [(code, n) for code, n in extra.items()]
    list_seed = seed if not ctx.salt else int(sequence.random.Random(f"{seed}{ctx.salt}").getrandbits(62))
    # Synthetic data must be the same for the same seed (a benchmark's trial is rebuilt identically), so its
    # blind codes come from a generator of its own seeded by the synthetic seed. A real list never does this:
    # its codes come from the system's cryptographic source (docs/BLINDING.md, "Blind codes").
    codes = sequence.random.Random(f"synthetic-blind-codes:{list_seed}")
    for row in sequence.generate_list(listed, list_seed, BLOCK_SIZES, code_rng=codes):
        stratum = strata[row.stratum]
        last = unused[row.stratum][-1].sequence if unused[row.stratum] else (
            AllocationRow.objects.filter(allocation_list=current, stratum=stratum)
            .order_by("-sequence").values_list("sequence", flat=True).first() or 0)
        if row.blind_code in taken:
            continue  # an appended code never repeats one of the list (8.5e11 codes: practically never)
        taken.add(row.blind_code)
        obj = AllocationRow(allocation_list=current, stratum=stratum, sequence=last + 1, block=row.block,
                            blind_code=row.blind_code, arm=row.arm,
                            appended_reason="" if current._state.adding else "Synthetic trial data")
        unused[row.stratum].append(obj)
        w.add(obj, at=made_at, user=admin, reason="List created")
    for code, stratum in strata.items():
        capacity = len(unused[code]) + AllocationRow.objects.filter(
            allocation_list=current, stratum=stratum, used_at__isnull=False).count()
        if stratum.capacity < capacity:
            stratum.capacity = capacity
            stratum._history_user, stratum._change_reason = admin, "Capacity for the synthetic trial"
            stratum.save()
    return unused



def mark_used_rows(persons) -> None:
    """Rows of a list already in the database (--force) that the new participants took: their
    `used_at` is written here; the "Allocated" history row is written with the randomization."""
    stored = [(p.row.used_at, p.row.pk) for p in persons if getattr(p.row, "stored", False)]
    if stored:
        with connection.cursor() as cursor:
            cursor.executemany(f'UPDATE "{AllocationRow._meta.db_table}" SET used_at = %s WHERE id = %s', stored)
