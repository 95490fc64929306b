"""FHIR R4 Bundles (collection, searchset or transaction) of Observation resources with LOINC codes
and UCUM units (docs/LAB_IMPORT.md "FHIR R4"). Each Observation is validated against the FHIR
R4B models of `fhir.resources` (R4B changed nothing in Observation, Patient or Bundle from R4), so
an STU3 or R5 resource, or something that is not an Observation, is staged as an explained error."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime

from django.utils.translation import gettext_noop
from pydantic import ValidationError

from labs.explain import explain

from .records import LabRecord, SourceRefused

BUNDLE_TYPES = {"collection", "searchset", "transaction"}
LOINC = "http://loinc.org"
FINAL = {"final": "final", "corrected": "corrected", "amended": "corrected"}


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg', '')}"[:200]


def load_bundle(data: bytes) -> dict:
    try:
        bundle = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SourceRefused(explain(gettext_noop("Not FHIR JSON (%(error)s)."), error=type(e).__name__)) from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        kind = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise SourceRefused(explain(gettext_noop("Expected a FHIR Bundle, got %(kind)s."),
                                    kind=kind or explain(gettext_noop("no resourceType"))))
    if bundle.get("type") not in BUNDLE_TYPES:
        raise SourceRefused(explain(gettext_noop("Bundle type %(type)s is not collection, searchset or transaction."),
                                    type=repr(bundle.get("type"))))
    declared = str((bundle.get("meta") or {}).get("fhirVersion") or bundle.get("fhirVersion") or "")
    if declared and not declared.startswith("4.0"):
        raise SourceRefused(explain(gettext_noop("The bundle declares FHIR %(version)s; this interface takes FHIR R4 "
                                                 "(4.0.x)."), version=declared))
    if not isinstance(bundle.get("entry", []), list):
        raise SourceRefused(explain(gettext_noop("Bundle.entry is not a list.")))
    from fhir.resources.R4B.bundle import Bundle

    try:
        Bundle.model_validate({k: v for k, v in bundle.items() if k != "entry"})
    except ValidationError as e:
        raise SourceRefused(explain(gettext_noop("Not a FHIR R4 Bundle (%(error)s)."), error=_first_error(e))) from None
    return bundle


def _patients(entries: list) -> dict[str, dict]:
    out = {}
    for entry in entries:
        resource = (entry or {}).get("resource") or {}
        if resource.get("resourceType") == "Patient":
            for key in (entry.get("fullUrl"), f"Patient/{resource.get('id')}"):
                if key:
                    out[key] = resource
    return out


def _identifiers(patient: dict | None, subject: dict) -> tuple[list[str], str, date | None]:
    ids, screening, dob = [], "", None
    idents = list((patient or {}).get("identifier") or [])
    if subject.get("identifier"):
        idents.append(subject["identifier"])
    for ident in idents:
        codes = {c.get("code") for c in ((ident.get("type") or {}).get("coding") or [])}
        if ident.get("value") and "SN" in codes:
            screening = str(ident["value"])
        elif ident.get("value"):
            ids.append(str(ident["value"]))
    if patient and patient.get("birthDate"):
        dob = date.fromisoformat(patient["birthDate"][:10])
    return ids, screening, dob


def _value(resource: dict) -> tuple[str, str]:
    if "valueQuantity" in resource:
        q = resource["valueQuantity"]
        value = q.get("value")
        text = "" if value is None else format(value, "f") if isinstance(value, float) else str(value)
        return (q.get("comparator") or "") + text, q.get("code") or q.get("unit") or ""
    if "valueString" in resource:
        return str(resource["valueString"]), ""
    if "valueCodeableConcept" in resource:
        concept = resource["valueCodeableConcept"]
        text = concept.get("text") or next((c.get("display") or c.get("code") for c in concept.get("coding") or []), "")
        return str(text or ""), ""
    return "", ""


def record_from(position: int, resource: dict, patients: dict) -> LabRecord:
    from fhir.resources.R4B.observation import Observation

    record = LabRecord(position=position)
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        kind = resource.get("resourceType") if isinstance(resource, dict) else "?"
        record.error = explain(gettext_noop("entry is a %(kind)s, not an Observation"), kind=kind)
        return record
    try:
        Observation.model_validate(resource)
    except ValidationError as e:
        record.error = explain(gettext_noop("not a valid FHIR R4 Observation (%(error)s)"), error=_first_error(e))
        return record
    identifier = next((i.get("value") for i in resource.get("identifier") or [] if i.get("value")), "")
    record.message_id = str(identifier or resource.get("id") or f"entry-{position}")
    subject = resource.get("subject") or {}
    record.hospital_ids, record.screening_number, record.date_of_birth = _identifiers(
        patients.get(subject.get("reference", "")), subject)
    for coding in (resource.get("code") or {}).get("coding") or []:
        if coding.get("code"):
            system = "loinc" if coding.get("system") == LOINC else "local"
            record.codes.append((system, str(coding["code"]).upper()))
            record.test_name = record.test_name or coding.get("display") or ""
    record.value_text, record.unit = _value(resource)
    ranges = resource.get("referenceRange") or []
    if ranges:
        r = ranges[0]
        record.reference_range = r.get("text") or "-".join(
            str((r.get(k) or {}).get("value", "")) for k in ("low", "high"))
    flags = [c.get("code") for i in resource.get("interpretation") or [] for c in i.get("coding") or []]
    record.abnormal_flag = ",".join(f for f in flags if f)
    when = resource.get("effectiveDateTime") or (resource.get("effectivePeriod") or {}).get("start")
    status = resource.get("status")
    if status not in FINAL:
        record.error = explain(gettext_noop("Observation status %(status)s is not final, corrected or amended"),
                               status=repr(status))
    elif not when:
        record.error = explain(gettext_noop("no collection time (effectiveDateTime)"))
    else:
        record.result_status = FINAL[status]
        try:
            record.collected_at = datetime.fromisoformat(when.replace("Z", "+00:00"))
        except ValueError:
            record.error = explain(gettext_noop("effectiveDateTime %(value)s is not a date and time"), value=repr(when))
    return record


def read_fhir(data: bytes) -> Iterator[LabRecord]:
    bundle = load_bundle(data)
    entries = bundle.get("entry") or []
    patients = _patients(entries)
    position = 0
    for entry in entries:
        resource = (entry or {}).get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            continue
        position += 1
        yield record_from(position, resource or {}, patients)
