"""The analysis datasets: one long table per eCRF, a participant table with the analysis
sets, a response table with WOCF, an AE table. Each is an exports.spec.Dataset whose rows are read
with server-side chunks (`.iterator()`), so memory stays flat however many participants there are.

Blinded by default: the arm column exists only when `unblinded=True`, which exports.services.release
allows only after database lock and a recorded dataset unblinding."""
from django.db import models
from django.db.models import Case, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import translation

from crf import registry
from crf.models import Discontinuation, InfusionAdministration, RenalResponse
from edc.models import ConsentKind, Participant
from exports.analysis_sets import analysis_sets
from exports.scope import in_scope
from exports.spec import Column, Dataset
from exports.sql_source import query_sql
from exports.wocf import ENDPOINT_MONTHS, wocf
from randomization.blinding import released_arm
from safety.models import AdverseEvent
from safety.vocab import RELATED

CHUNK = 2000
INTERNAL = {"id", "participant", "visit", "created_at", "modified_at", "soft_warnings", "verified_by",
            "verified_at", "verified_fields", "changed_since_verification"}
TYPES = {"DateField": "date", "DateTimeField": "datetime", "BooleanField": "boolean", "IntegerField": "integer",
         "PositiveIntegerField": "integer", "PositiveSmallIntegerField": "integer", "SmallIntegerField": "integer",
         "BigIntegerField": "integer", "DecimalField": "number", "FloatField": "number"}


def _labels(text) -> tuple[str, str]:
    with translation.override("en"):
        en = str(text)
    with translation.override("zh-hans"):
        zh = str(text)
    return en, zh


def column_for(f: models.Field) -> Column:
    en, zh = _labels(f.verbose_name)
    values = {code: _labels(label)[0] for code, label in f.flatchoices} if f.choices else {}
    return Column(f.name, en, zh, TYPES.get(f.get_internal_type(), "string"), values=values)


def enrolled(sites: list[int] | None = None):
    """Enrolled participants, of `sites` only unless None (trial-wide; exports.scope)."""
    return in_scope(Participant.objects.filter(participant_code__isnull=False), sites, "site_id")


def crf_dataset(crf_type, sites: list[int] | None = None) -> Dataset:
    fields = [f for f in crf_type.model._meta.concrete_fields if f.name not in INTERNAL
              and f.name not in getattr(crf_type.model, "blinded_fields", ())]
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            Column("visit", "Visit", "访视", "string"), Column("month", "Month", "月", "integer"),
            *[column_for(f) for f in fields]]
    # JSON columns (the BILAG deciding features, the response rules) are exported as PostgreSQL's own jsonb text,
    # read as text by both paths (docs/EXPORTS.md "JSON columns").
    names = ["participant__participant_code", "visit__code", "visit__month",
             *[Cast(f.attname, TextField()) if f.get_internal_type() == "JSONField" else f.attname for f in fields]]
    en, zh = _labels(crf_type.label)

    def queryset():
        return in_scope(crf_type.model.objects, sites).order_by(
            "participant__participant_code", "visit__month", "created_at", "pk").values_list(*names)

    def rows():
        return queryset().iterator(chunk_size=CHUNK)

    return Dataset(f"crf_{crf_type.key}", en, zh, cols, rows, key=("participant_id", "visit"),
                   sql=lambda: query_sql(queryset()))


def participant_dataset(*, unblinded: bool = False, sites: list[int] | None = None) -> Dataset:
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            Column("site", "Site", "研究中心", "string"),
            Column("stratum", "Prior first-line therapy (stratum)", "既往一线治疗（分层）", "string"),
            Column("blind_code", "Blind code", "盲码", "string"),
            Column("sex", "Sex", "性别", "string", values={"F": "female", "M": "male"}),
            Column("main_consent_at", "Main consent", "主知情同意时间", "datetime"),
            Column("biospecimen_consent_at", "Biospecimen consent", "生物样本知情同意时间", "datetime"),
            Column("randomized_at", "Randomized", "随机化时间", "datetime"),
            Column("month0", "Month 0", "第0个月", "date"),
            Column("infusions", "Infusions received", "已接受输注次数", "integer"),
            Column("discontinued_on", "Discontinued", "终止治疗日期", "date"),
            Column("discontinuation_reason", "Discontinuation reason", "终止原因", "string"),
            *[Column(flag, f"{flag.upper()} member", f"{flag.upper()} 集", "integer", values={1: "yes", 0: "no"})
              for flag in ("safety", "fas", "pps")]]
    if unblinded:
        cols.append(Column("arm", "Arm", "组别", "string", values={"msc": "uc-MSC", "placebo": "placebo"}))

    def rows():
        for chunk in _chunks(enrolled(sites).select_related("site", "randomization__row").prefetch_related("consents")
                             .order_by("participant_code")):
            ids = [p.pk for p in chunk]
            sets = analysis_sets(ids)
            infusions = dict(InfusionAdministration.objects.filter(participant_id__in=ids).values("participant_id")
                             .annotate(n=models.Count("id")).values_list("participant_id", "n"))
            stops = {d.participant_id: d for d in Discontinuation.objects.filter(participant_id__in=ids)}
            for p in chunk:
                consents = {c.kind: c.consented_at for c in p.consents.all()}
                r = getattr(p, "randomization", None)
                m = sets[p.pk]
                stop = stops.get(p.pk)
                row = (p.participant_code, p.site.code, p.prior_therapy, r.blind_code if r else None, p.sex,
                       consents.get(ConsentKind.MAIN), consents.get(ConsentKind.BIOSPECIMEN),
                       r.randomized_at if r else None, r.month0_date if r else None, infusions.get(p.pk, 0),
                       stop.date if stop else None, stop.reason if stop else None,
                       int(m.safety), int(m.fas), int(m.pps))
                yield row + (released_arm(r, released=unblinded),) if unblinded else row

    return Dataset("participants", "Participants and analysis sets", "受试者及分析集", cols, rows)


def response_dataset(sites: list[int] | None = None) -> Dataset:
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            Column("month", "Endpoint month", "终点月份", "integer"),
            Column("response", "Renal response", "肾脏缓解", "string",
                   values={"complete": "complete", "partial": "partial", "none": "none"}),
            Column("responder", "Overall response (CR + PR)", "总缓解（完全+部分）", "integer",
                   values={1: "yes", 0: "no"}),
            Column("imputed", "Imputed (WOCF)", "是否填补（WOCF）", "integer", values={1: "yes", 0: "no"}),
            Column("source_month", "Month carried forward from", "结转自月份", "integer")]

    def rows():
        for chunk in _chunks(enrolled(sites).filter(randomization__isnull=False).order_by("participant_code")):
            observed: dict = {p.pk: {} for p in chunk}
            for pid, month, category in RenalResponse.objects.filter(participant_id__in=observed).values_list(
                    "participant_id", "visit__month", "category"):
                observed[pid][month] = category
            for p in chunk:
                for e in wocf(observed[p.pk], ENDPOINT_MONTHS):
                    yield (p.participant_code, e.month, e.category, int(e.responder), int(e.imputed), e.source_month)

    return Dataset("response", "Primary endpoint with WOCF", "主要终点（WOCF）", cols, rows,
                   key=("participant_id", "month"))


def ae_dataset(sites: list[int] | None = None) -> Dataset:
    cols = [Column("participant_id", "Participant ID", "受试者编号", "string"),
            *[column_for(AdverseEvent._meta.get_field(n)) for n in (
                "term", "soc", "onset_date", "end_date", "grade", *AdverseEvent.SERIOUSNESS_FIELDS, "causality",
                "expected", "action", "outcome", "in_collection_window")],
            Column("serious", "Serious", "严重", "integer", values={1: "yes", 0: "no"}),
            Column("related", "Related (certain/probable/possible)", "相关（肯定/很可能/可能）", "integer",
                   values={1: "yes", 0: "no"})]
    names = ["participant__participant_code", "term", "soc", "onset_date", "end_date", "grade",
             *AdverseEvent.SERIOUSNESS_FIELDS, "causality", "expected", "action", "outcome", "in_collection_window"]
    serious = Q()
    for name in AdverseEvent.SERIOUSNESS_FIELDS:
        serious |= Q(**{name: True})

    def queryset():
        flag = {"default": Value(0), "output_field": models.IntegerField()}
        return (in_scope(AdverseEvent.objects, sites).order_by("participant__participant_code", "onset_date", "pk")
                .values_list(*names, Case(When(serious, then=Value(1)), **flag),
                             Case(When(causality__in=sorted(RELATED), then=Value(1)), **flag)))

    def rows():
        return queryset().iterator(chunk_size=CHUNK)

    return Dataset("adverse_events", "Adverse events", "不良事件", cols, rows, sql=lambda: query_sql(queryset()))


def all_datasets(*, unblinded: bool = False, sites: list[int] | None = None) -> list[Dataset]:
    """Every dataset; `sites`: only those sites' participants (None: every site, a trial-wide grant)."""
    from exports.lab_sources import lab_sources_dataset

    return [participant_dataset(unblinded=unblinded, sites=sites), response_dataset(sites), ae_dataset(sites),
            *[crf_dataset(t, sites) for t in registry.ordered()], lab_sources_dataset(sites)]


def _chunks(qs, size: int = 500):
    chunk = []
    for obj in qs.iterator(chunk_size=size):
        chunk.append(obj)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
