"""CDISC ODM 1.3 (ODMVersion 1.3.2, FileType Snapshot) writer, streamed as text (no DOM).

Mapping (one `Dataset` = one form with one repeating item group):
- Study: OID `study_oid`; GlobalVariables carry `study_name`.
- MetaDataVersion "MDV.1": a FormDef "F.<dataset>" and ItemGroupDef "IG.<dataset>" per dataset, an ItemDef
  "I.<dataset>.<column>" per column (ODM DataType text/integer/float/date/datetime/boolean, Description with the
  en and zh labels as TranslatedText xml:lang="en"/"zh", MeasurementUnitRef for units, CodeListRef
  "CL.<dataset>.<column>" for columns with value labels), a StudyEventDef per visit and a Protocol listing them.
- ClinicalData: one ClinicalData element per dataset that has a `participant_id` column (ODM: the same SubjectKey in
  several ClinicalData elements of one study is the same subject). Within it, each run of consecutive rows with the
  same participant_id is one SubjectData (SubjectKey = participant_id), each run with the same `visit` one
  StudyEventData ("SE.<visit>"; rows without a visit column or with an empty visit go to "SE.COMMON") holding one
  FormData, and each row is one ItemGroupData whose ItemGroupRepeatKey is the row number (1-based, as in
  <dataset>.csv), so every record keeps a unique key even if the rows are not sorted. Rows should come ordered by
  participant_id then visit (`Dataset.key`) so that each subject appears once per dataset.
- ItemData: one per non-empty value of every column except participant_id and visit (those are the keys above);
  None, NaN and "" are left out. Values are written as in the CSV.
Datasets without a participant_id column are described in the metadata only.

Study events are known only once the rows have been read, and metadata precedes clinical data in ODM, so the
ClinicalData part is spooled to a temporary file on disk first and then copied after the metadata: memory stays
constant, disk use is about the size of the ClinicalData part.
"""
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

from exports.spec import Dataset
from exports.writers_csv import TEXT, check_datasets, code_text, text_of, text_stream, typed_rows, value_labels

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
MDV_OID = "MDV.1"
COMMON_EVENT = "SE.COMMON"
_DATA_TYPES = {"string": "text", "integer": "integer", "number": "float", "date": "date", "datetime": "datetime",
               "boolean": "boolean"}
_CODELIST_TYPES = {"string": "text", "integer": "integer", "number": "float", "boolean": "integer"}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_OID = re.compile(r"[^A-Za-z0-9_.\-]")
_COPY_CHARS = 1 << 20


def xml_text(value: str) -> str:
    """`value` with characters that XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", value)


_NEEDS_QUOTING = re.compile('[&<>"\n\r\t]')


def _quoted(value: str) -> str:
    """quoteattr(value), skipping its work when nothing needs escaping (nearly every data value)."""
    return quoteattr(value) if _NEEDS_QUOTING.search(value) else f'"{value}"'


def _attrs(attrs: dict) -> str:
    return "".join(f" {k}={quoteattr(xml_text(str(v)))}" for k, v in attrs.items() if v is not None)


def _translated(out, element: str, label_en: str, label_zh: str, indent: str) -> None:
    out.write(f"{indent}<{element}>")
    for lang, label in (("en", text_of(label_en)), ("zh", text_of(label_zh))):
        if label:
            out.write(f'<TranslatedText xml:lang="{lang}">{escape(xml_text(label))}</TranslatedText>')
    out.write(f"</{element}>\n")


class _Events:
    """Visit value -> StudyEventOID, in the order the visits are first declared or seen."""

    def __init__(self):
        self.oids: dict = {}
        self.names: dict[str, str] = {}
        self.forms: dict[str, list[str]] = {}

    def oid(self, visit, name: str | None = None) -> str:
        if visit is None or visit == "":
            self.names.setdefault(COMMON_EVENT, "Not bound to a visit / 非访视数据")
            return COMMON_EVENT
        if visit not in self.oids:
            base = oid = "SE." + _NOT_OID.sub("_", code_text(visit))
            suffix = 1
            while oid in self.names or oid == COMMON_EVENT:
                suffix += 1
                oid = f"{base}.{suffix}"
            self.oids[visit] = oid
            self.names[oid] = name or code_text(visit)
        return self.oids[visit]

    def use(self, oid: str, dataset: str) -> None:
        forms = self.forms.setdefault(oid, [])
        if dataset not in forms:
            forms.append(dataset)


class _ClinicalData:
    """One dataset's ClinicalData element, written row by row as the typed rows arrive (exports.writers feeds
    the same rows to the CSV and the SPSS/Stata/SAS frame in one pass)."""

    def __init__(self, out, dataset: Dataset, study_oid: str, events: _Events, subject_column: str,
                 visit_column: str):
        names = [col.name for col in dataset.columns]
        self.out, self.dataset, self.events, self.subject_column = out, dataset, events, subject_column
        self.subject_at = names.index(subject_column)
        self.visit_at = names.index(visit_column) if visit_column in names else None
        self.visit_labels = value_labels(dataset.columns[self.visit_at]) if self.visit_at is not None else {}
        self.subject_text = TEXT[dataset.columns[self.subject_at].type]
        self.items = [(i, quoteattr(f"I.{dataset.name}.{col.name}"), TEXT[col.type], col.type == "string")
                      for i, col in enumerate(dataset.columns) if i not in (self.subject_at, self.visit_at)]
        self.form = quoteattr(f"F.{dataset.name}")
        self.group = quoteattr(f"IG.{dataset.name}")
        self.subject = self.event = None
        self.quoted_events: dict[str, str] = {}
        self.count = 0
        out.write(f"  <ClinicalData{_attrs({'StudyOID': study_oid, 'MetaDataVersionOID': MDV_OID})}>\n")

    def row(self, count: int, values: list) -> None:
        out = self.out
        key = values[self.subject_at]
        if key is None or key == "":
            raise ValueError(f"dataset {self.dataset.name!r}: row {count} has no {self.subject_column}")
        key = self.subject_text(key)
        visit = values[self.visit_at] if self.visit_at is not None else None
        event_oid = self.events.oid(visit, self.visit_labels.get(visit))
        if key != self.subject:
            if self.subject is not None:
                out.write("      </FormData>\n    </StudyEventData>\n    </SubjectData>\n")
            out.write(f"    <SubjectData SubjectKey={_quoted(xml_text(key))}>\n")
            self.subject, self.event = key, None
        if event_oid != self.event:
            if self.event is not None:
                out.write("      </FormData>\n    </StudyEventData>\n")
            quoted = self.quoted_events.get(event_oid)
            if quoted is None:
                quoted = self.quoted_events[event_oid] = quoteattr(event_oid)
            out.write(f"    <StudyEventData StudyEventOID={quoted}>\n      <FormData FormOID={self.form}>\n")
            self.event = event_oid
            self.events.use(event_oid, self.dataset.name)
        # One write per item group: millions of small writes to the spool cost more than the XML itself.
        parts = [f'        <ItemGroupData ItemGroupOID={self.group} ItemGroupRepeatKey="{count}">\n']
        for i, oid, text, is_string in self.items:
            value = values[i]
            if value is None or value == "":
                continue
            # numbers, dates and booleans never contain characters that need escaping
            value = _quoted(xml_text(value)) if is_string else f'"{text(value)}"'
            parts.append(f"          <ItemData ItemOID={oid} Value={value}/>\n")
        parts.append("        </ItemGroupData>\n")
        out.write("".join(parts))
        self.count = count

    def close(self) -> int:
        if self.subject is not None:
            self.out.write("      </FormData>\n    </StudyEventData>\n    </SubjectData>\n")
        self.out.write("  </ClinicalData>\n")
        return self.count


def _metadata(out, datasets: list[Dataset], events: _Events, study_oid: str, study_name: str) -> None:
    out.write(f"  <Study{_attrs({'OID': study_oid})}>\n    <GlobalVariables>\n")
    for element in ("StudyName", "StudyDescription", "ProtocolName"):
        out.write(f"      <{element}>{escape(xml_text(study_name))}</{element}>\n")
    out.write("    </GlobalVariables>\n")
    units = list(dict.fromkeys(text_of(col.unit) for ds in datasets for col in ds.columns if col.unit))
    unit_oids = {unit: f"MU.{n}" for n, unit in enumerate(units, 1)}
    if units:
        out.write("    <BasicDefinitions>\n")
        for unit, oid in unit_oids.items():
            out.write(f"      <MeasurementUnit{_attrs({'OID': oid, 'Name': unit})}><Symbol><TranslatedText>"
                      f"{escape(xml_text(unit))}</TranslatedText></Symbol></MeasurementUnit>\n")
        out.write("    </BasicDefinitions>\n")
    out.write(f"    <MetaDataVersion{_attrs({'OID': MDV_OID, 'Name': study_name or study_oid})}>\n")
    if events.names:
        out.write("      <Protocol>\n")
        for n, oid in enumerate(events.names, 1):
            out.write(f'        <StudyEventRef StudyEventOID={quoteattr(oid)} OrderNumber="{n}" Mandatory="No"/>\n')
        out.write("      </Protocol>\n")
    for oid, name in events.names.items():
        kind = "Common" if oid == COMMON_EVENT else "Scheduled"
        out.write(f'      <StudyEventDef{_attrs({"OID": oid, "Name": name})} Repeating="No" Type="{kind}">\n')
        for form in events.forms.get(oid, []):
            out.write(f'        <FormRef FormOID={quoteattr("F." + form)} Mandatory="No"/>\n')
        out.write("      </StudyEventDef>\n")
    for ds in datasets:
        out.write(f'      <FormDef{_attrs({"OID": "F." + ds.name, "Name": ds.name})} Repeating="Yes">\n')
        _translated(out, "Description", ds.label_en, ds.label_zh, "        ")
        out.write(f'        <ItemGroupRef ItemGroupOID={quoteattr("IG." + ds.name)} Mandatory="No"/>\n')
        out.write("      </FormDef>\n")
    for ds in datasets:
        out.write(f'      <ItemGroupDef{_attrs({"OID": "IG." + ds.name, "Name": ds.name})} Repeating="Yes">\n')
        for n, col in enumerate(ds.columns, 1):
            out.write(f'        <ItemRef ItemOID={quoteattr(f"I.{ds.name}.{col.name}")} OrderNumber="{n}" '
                      'Mandatory="No"/>\n')
        out.write("      </ItemGroupDef>\n")
    for ds in datasets:
        for col in ds.columns:
            attrs = {"OID": f"I.{ds.name}.{col.name}", "Name": col.name, "DataType": _DATA_TYPES[col.type]}
            out.write(f"      <ItemDef{_attrs(attrs)}>\n")
            _translated(out, "Description", col.label_en, col.label_zh, "        ")
            if col.unit:
                unit = quoteattr(unit_oids[text_of(col.unit)])
                out.write(f"        <MeasurementUnitRef MeasurementUnitOID={unit}/>\n")
            if col.values and col.type != "boolean":
                out.write(f'        <CodeListRef CodeListOID={quoteattr(f"CL.{ds.name}.{col.name}")}/>\n')
            out.write("      </ItemDef>\n")
    for ds in datasets:
        for col in ds.columns:
            if not col.values or col.type == "boolean":
                continue
            attrs = {"OID": f"CL.{ds.name}.{col.name}", "Name": col.name, "DataType": _CODELIST_TYPES[col.type]}
            out.write(f"      <CodeList{_attrs(attrs)}>\n")
            for code, label in value_labels(col).items():
                out.write(f"        <CodeListItem{_attrs({'CodedValue': code_text(code)})}><Decode><TranslatedText>"
                          f"{escape(xml_text(label))}</TranslatedText></Decode></CodeListItem>\n")
            out.write("      </CodeList>\n")
    out.write("    </MetaDataVersion>\n  </Study>\n")


class OdmWriter:
    """An ODM document built in one pass over each dataset's rows, possibly in several processes.

    Each dataset's ClinicalData goes to a fragment file as its rows come (`clinical(dataset, out, events)`), with
    its own copy of the visits declared so far (`events()`); `merge(dataset, events)` then adds the visits that
    dataset saw, in dataset order, so the document is the same whichever process wrote which fragment;
    `finish(stream, fragments)` writes the header, the metadata (which list every visit seen) and the
    fragments in dataset order."""

    def __init__(self, datasets: list[Dataset], *, study_oid: str, study_name: str, file_oid: str | None = None,
                 subject_column: str = "participant_id", visit_column: str = "visit"):
        if not study_oid:
            raise ValueError("study_oid is required for ODM")
        self.datasets, self.study_oid, self.study_name = datasets, study_oid, study_name
        self.subject_column, self.visit_column = subject_column, visit_column
        self.created = datetime.now(UTC).replace(microsecond=0)
        self.file_oid = file_oid or f"{study_oid}.{self.created:%Y%m%dT%H%M%SZ}"
        self.declared = _Events()
        for ds in datasets:  # declared visits first, in their declared order
            for col in ds.columns:
                if col.name == visit_column:
                    for code, label in value_labels(col).items():
                        self.declared.oid(code, label)
        self.all_events = self.events()
        self.records = 0

    def events(self) -> _Events:
        copy = _Events()
        copy.oids, copy.names = dict(self.declared.oids), dict(self.declared.names)
        return copy

    def clinical(self, dataset: Dataset, out, events: _Events) -> _ClinicalData | None:
        if not any(col.name == self.subject_column for col in dataset.columns):
            return None
        return _ClinicalData(out, dataset, self.study_oid, events, self.subject_column, self.visit_column)

    def merge(self, dataset: Dataset, events: _Events, records: int) -> None:
        """Add what `dataset`'s pass saw (its events object, or a dict of its fields from another process)."""
        if isinstance(events, dict):
            oids, names, forms = (dict(events["oids"]), dict(events["names"]), events["forms"])
        else:
            oids, names, forms = events.oids, events.names, events.forms
        for oid, name in names.items():
            self.all_events.names.setdefault(oid, name)
        for visit, oid in oids.items():
            self.all_events.oids.setdefault(visit, oid)
        for oid, used_by in forms.items():
            if dataset.name in used_by:
                self.all_events.use(oid, dataset.name)
        self.records += records

    def finish(self, stream, fragments: Iterable[str]) -> int:
        with text_stream(stream) as out:
            root = {"xmlns": ODM_NS, "ODMVersion": "1.3.2", "FileType": "Snapshot", "FileOID": self.file_oid,
                    "CreationDateTime": self.created.isoformat(), "SourceSystem": "EDC"}
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<ODM{_attrs(root)}>\n')
            _metadata(out, self.datasets, self.all_events, self.study_oid, self.study_name)
            for fragment in fragments:
                with open(fragment, encoding="utf-8", newline="") as part:
                    while chunk := part.read(_COPY_CHARS):
                        out.write(chunk)
            out.write("</ODM>\n")
        return self.records


def events_state(events: _Events) -> dict:
    """An events object as plain data, to pass from one process to another (JSON: visits as strings)."""
    return {"oids": [[k, v] for k, v in events.oids.items()], "names": [[k, v] for k, v in events.names.items()],
            "forms": events.forms}


def write_odm(datasets: Iterable[Dataset], stream, *, study_oid: str, study_name: str, file_oid: str | None = None,
              subject_column: str = "participant_id", visit_column: str = "visit") -> int:
    """Write the datasets as one CDISC ODM 1.3 XML document (UTF-8) and return the number of ItemGroupData written.

    `stream` may be binary or text. See the module docstring for how datasets, rows and columns map to ODM.
    """
    datasets = check_datasets(datasets)
    writer = OdmWriter(datasets, study_oid=study_oid, study_name=study_name, file_oid=file_oid,
                       subject_column=subject_column, visit_column=visit_column)
    with tempfile.TemporaryDirectory(prefix="odm-") as scratch:
        fragments = []
        for n, ds in enumerate(datasets):
            fragment = os.path.join(scratch, f"{n}.xml")
            events = writer.events()
            with open(fragment, "w", encoding="utf-8", newline="") as out:
                sink = writer.clinical(ds, out, events)
                if sink is None:
                    continue
                for count, values in typed_rows(ds):
                    sink.row(count, values)
                writer.merge(ds, events, sink.close())
            fragments.append(fragment)
        return writer.finish(stream, fragments)
