"""A dataset's ODM ClinicalData written by PostgreSQL, for datasets with `Dataset.sql`: the same text
exports.writers_odm._ClinicalData writes from Python rows (tests/exports/test_sql_paths.py compares them
byte for byte on the same database).

One SELECT gives one line of output per row of the dataset: the ItemGroupData with an ItemData for each
non-empty value, preceded by the closing and opening SubjectData / StudyEventData tags where the participant or
the visit changes from the row before (lag over the rows in the dataset's order). Values are escaped as
`xml.sax.saxutils.quoteattr` does, after the characters XML cannot carry became U+FFFD (writers_odm.xml_text);
numbers, dates and booleans are the CSV's text (exports.copy_csv). The visits are read first, in the order they
first appear, so the study events get the OIDs Python would give them.

COPY writes the lines: in CSV format, with a delimiter and a quote character that no line can contain (control
characters were replaced), so each line comes out verbatim; the line breaks inside a row's XML are written as
\\x01 and turned into newlines afterwards, a megabyte at a time.
"""
from tempfile import TemporaryFile
from xml.sax.saxutils import quoteattr

from django.db import connection

from exports.copy_csv import copy_to_file, csv_text_sql
from exports.spec import Dataset
from exports.sql_source import over, refs
from exports.writers_odm import MDV_OID, _attrs, _Events, value_labels

NL = "\x01"  # a line break inside one row's XML (no value holds it: control characters become U+FFFD)
# Regular expressions (PostgreSQL ARE escapes) of the characters XML 1.0 cannot carry that a PostgreSQL text can
# hold (writers_odm._NOT_XML; never NUL), and of those plus what quoteattr escapes.
_BAD = r"[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_SPECIAL = r"[&<>" + '"' + r"\n\r\t\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\n", "&#10;"), ("\r", "&#13;"), ("\t", "&#9;"))
QUOTE, APOSTROPHE = "'\"'", "''''"  # '"' and "'" as SQL literals


def lit(text: str) -> str:
    """`text` as a PostgreSQL string literal, quoted by the driver for this connection's settings (COPY takes no
    parameters)."""
    with connection.cursor() as cursor:
        return cursor.mogrify("%s", [text]).decode()


def quoted_sql(ref: str) -> str:
    """SQL for quoteattr(xml_text(ref)) of a text expression `ref`. Regular expressions, not translate(): they
    test a long text in one pass (translate compares every character with every listed one)."""
    fast = f"{QUOTE} || {ref} || {QUOTE}"
    clean = (f"CASE WHEN {ref} ~ {lit(_BAD)} THEN regexp_replace({ref}, {lit(_BAD)}, {lit(chr(0xFFFD))}, 'g')"
             f" ELSE {ref} END")
    escaped = clean
    for char, entity in _ESCAPES:
        escaped = f"replace({escaped}, {lit(char)}, {lit(entity)})"
    slow = (f"CASE WHEN strpos({ref}, {QUOTE}) = 0 THEN {QUOTE} || {escaped} || {QUOTE}"
            f" WHEN strpos({ref}, {APOSTROPHE}) = 0 THEN {APOSTROPHE} || {escaped} || {APOSTROPHE}"
            f" ELSE {QUOTE} || replace({escaped}, {QUOTE}, '&quot;') || {QUOTE} END")
    return f"CASE WHEN {ref} !~ {lit(_SPECIAL)} THEN {fast} ELSE {slow} END"


def _visits(dataset: Dataset, visit_at: int | None, subject_at: int) -> tuple[list, int, bool]:
    """(the visit values in the order they first appear, the row count, whether a row has no participant)."""
    names = refs(len(dataset.columns))
    subject = names[subject_at]
    visit = names[visit_at] if visit_at is not None else "NULL::text"
    sql = over(dataset, f"row_number() OVER () AS n, {visit} AS v, ({subject} IS NULL OR {subject}::text = '') AS e")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v, min(n), count(*), bool_or(e) FROM ({sql}) AS r GROUP BY v ORDER BY 2")
        found = cursor.fetchall()
    return [v for v, *_ in found], sum(c for *_, c, _e in found), any(e for *_, e in found)


def clinical_sql(dataset: Dataset, out, events: _Events, *, study_oid: str, subject_column: str = "participant_id",
                 visit_column: str = "visit") -> int:
    """Write the dataset's ClinicalData element to the binary stream `out` and return its row count, registering
    its visits in `events` as writers_odm._ClinicalData does."""
    names = [col.name for col in dataset.columns]
    subject_at = names.index(subject_column)
    visit_at = names.index(visit_column) if visit_column in names else None
    visit_labels = value_labels(dataset.columns[visit_at]) if visit_at is not None else {}
    visits, count, empty = _visits(dataset, visit_at, subject_at)
    if empty:
        raise ValueError(f"dataset {dataset.name!r}: a row has no {subject_column}")
    oids = {}
    for visit in visits:
        oids[visit] = events.oid(visit, visit_labels.get(visit))
        events.use(oids[visit], dataset.name)
    out.write(f"  <ClinicalData{_attrs({'StudyOID': study_oid, 'MetaDataVersionOID': MDV_OID})}>\n".encode())
    if count:
        _rows(dataset, out, oids, subject_at, visit_at)
        out.write(b"      </FormData>\n    </StudyEventData>\n    </SubjectData>\n")
    out.write(b"  </ClinicalData>\n")
    return count


def _rows(dataset: Dataset, out, oids: dict, subject_at: int, visit_at: int | None) -> None:
    c = refs(len(dataset.columns))
    subject = csv_text_sql(dataset.columns[subject_at], c[subject_at])  # the CSV's text of the key, as Python's
    if visit_at is None:
        event = lit(oids[None])
    else:
        cases = " ".join(f"WHEN {lit(v)} THEN {lit(oid)}" for v, oid in oids.items() if v not in (None, ""))
        common = oids.get(None) or oids.get("") or "SE.COMMON"
        event = f"CASE {c[visit_at]}::text {cases} ELSE {lit(common)} END" if cases else lit(common)
    items = []
    for i, col in enumerate(dataset.columns):
        if i in (subject_at, visit_at):
            continue
        start = lit(f"          <ItemData ItemOID={quoteattr(f'I.{dataset.name}.{col.name}')} Value=")
        if col.type == "string":
            value, empty = quoted_sql(f"{c[i]}::text"), f"{c[i]} IS NULL OR {c[i]}::text = ''"
        else:
            value, empty = f"'\"' || {csv_text_sql(col, c[i])} || '\"'", f"{c[i]} IS NULL"
        items.append(f"CASE WHEN {empty} THEN '' ELSE {start} || {value} || {lit('/>' + NL)} END")
    nothing = "''"
    quote_event = "'\"' || e || '\"'"  # event OIDs are letters, digits, '_', '.', '-' (writers_odm._NOT_OID)
    close_event = lit(f"      </FormData>{NL}    </StudyEventData>{NL}")
    close_subject = lit(f"    </SubjectData>{NL}")
    open_subject = f"{lit('    <SubjectData SubjectKey=')} || {quoted_sql('k')} || {lit('>' + NL)}"
    open_event = f"{lit('    <StudyEventData StudyEventOID=')} || {quote_event} || {lit('>' + NL)}"
    form = lit(f"      <FormData FormOID={quoteattr(f'F.{dataset.name}')}>{NL}")
    group = lit(f"        <ItemGroupData ItemGroupOID={quoteattr(f'IG.{dataset.name}')} ItemGroupRepeatKey=" + '"')
    group_end = lit('">' + NL)
    line = (f"CASE WHEN n = 1 OR k IS DISTINCT FROM prev_k THEN"
            f" CASE WHEN n > 1 THEN {close_event} || {close_subject} ELSE {nothing} END"
            f" || {open_subject} || {open_event} || {form}"
            f" WHEN e IS DISTINCT FROM prev_e THEN {close_event} || {open_event} || {form} ELSE {nothing} END"
            f" || {group} || n::text || {group_end} || {' || '.join(items) or nothing} || '        </ItemGroupData>'")
    inner = over(dataset, f"row_number() OVER w AS n, {subject} AS k, lag({subject}) OVER w AS prev_k,"
                          f" ({event})::text AS e, lag(({event})::text) OVER w AS prev_e, {', '.join(c)}",
                 tail="WINDOW w AS ()")
    sql = f"SELECT {line} FROM ({inner}) AS r(n, k, prev_k, e, prev_e, {', '.join(c)})"
    with TemporaryFile() as lines:
        copy_to_file(sql, "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x03'", lines)
        lines.seek(0)
        while chunk := lines.read(1 << 20):
            out.write(chunk.replace(b"\x01", b"\n"))
