"""HL7 v2.x ORU^R01 (v2.3-2.5, what Chinese LIS interfaces send), parsed with python-hl7
(docs/LAB_IMPORT.md "HL7 v2"). A file may hold one message or many; each message is checked on
its own, so one malformed message is staged as an explained error without stopping the others.

Fields read: MSH-9 type, MSH-10 control id, MSH-12 version; PID-3 identifiers (type MR or none =
hospital record number, SN = screening number), PID-7 birth date; OBR-7 collection time; OBX-3
codes (LN = LOINC, anything else local), OBX-5 value, OBX-6 unit, OBX-7 range, OBX-8 flag, OBX-11
status (F final, C corrected)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import hl7
from django.utils.translation import gettext_noop

from labs.explain import Explanation, explain

from .records import LabRecord

VERSIONS = re.compile(r"^2\.(3|3\.1|4|5|5\.1)$")
_FRAMING = str.maketrans("", "", "\x0b\x1c")
_TS = re.compile(r"^(\d{8})(\d{2})?(\d{2})?(\d{2})?(?:\.\d+)?([+-]\d{4})?$")


@dataclass
class Message:
    """One message of a file: its records, or why it was refused (then `records` is empty)."""

    number: int
    control_id: str = ""
    text: str = ""
    error: str = ""  # an Explanation (labs.explain) when the message is refused
    records: list[LabRecord] = field(default_factory=list)
    parsed: object = None  # the hl7.Message, for the ACK


def split_messages(text: str) -> list[str]:
    """Messages of a file or an MLLP frame: segments end in CR (LF and CRLF accepted); a new
    message starts at each MSH segment."""
    text = text.translate(_FRAMING).replace("\r\n", "\r").replace("\n", "\r")
    messages, current = [], []
    for segment in text.split("\r"):
        if not segment.strip():
            continue
        if segment.startswith("MSH") and current:
            messages.append("\r".join(current))
            current = []
        current.append(segment)
    if current:
        messages.append("\r".join(current))
    return messages


def _f(segment, *path) -> str:
    try:
        return str(segment.extract_field(1, *path) or "").strip()
    except (IndexError, KeyError):
        return ""


def hl7_time(text: str) -> datetime | None:
    """YYYYMMDD[HH[MM[SS]]][+ZZZZ] -> datetime (aware when an offset is given)."""
    if not text:
        return None
    match = _TS.match(text)
    if not match:
        raise ValueError(f"not an HL7 time: {text!r}")
    day, hh, mm, ss, offset = match.groups()
    value = datetime.strptime(day + (hh or "00") + (mm or "00") + (ss or "00"), "%Y%m%d%H%M%S")
    if offset:
        sign = 1 if offset[0] == "+" else -1
        value = value.replace(tzinfo=timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))))
    return value


def _check_delimiters(text: str) -> Explanation | str:
    if not text.startswith("MSH"):
        return explain(gettext_noop("the message does not start with an MSH segment"))
    if len(text) < 8:
        return explain(gettext_noop("the MSH segment is truncated"))
    field_sep, encoding = text[3], text[4:8]
    used = field_sep + encoding
    if len(set(used)) != 5 or any(c.isalnum() or c.isspace() for c in used):
        return explain(gettext_noop("MSH-1/MSH-2 declare unusable delimiters"))
    if field_sep != "|" or encoding != "^~\\&":
        return explain(gettext_noop("the message declares the delimiters %(used)s; this interface takes the HL7 "
                                    "standard delimiters |^~\\& (ask the LIS vendor to send those)"),
                       used=repr(used))
    return ""


def parse_message(number: int, text: str) -> Message:
    message = Message(number=number, text=text)
    problem = _check_delimiters(text)
    if problem:
        message.error = problem
        return message
    try:
        parsed = hl7.parse(text)
        msh = parsed.segment("MSH")
    except (hl7.ParseException, KeyError, IndexError) as e:
        message.error = explain(gettext_noop("not a readable HL7 v2 message (%(error)s)"), error=str(e))
        return message
    message.parsed = parsed
    message.control_id = _f(msh, 10)
    msg_type = f"{_f(msh, 9, 1, 1)}^{_f(msh, 9, 1, 2)}"
    version = _f(msh, 12)
    if not message.control_id:
        message.error = explain(gettext_noop("MSH-10 (message control id) is empty"))
    elif msg_type != "ORU^R01":
        message.error = explain(gettext_noop("message type %(type)s is not ORU^R01 (observation results)"),
                                type=msg_type)
    elif not VERSIONS.match(version):
        message.error = explain(gettext_noop("HL7 version %(version)s is not 2.3-2.5"),
                                version=version or explain(gettext_noop("(none)")))
    if message.error:
        return message
    segments = text.split("\r")
    if not any(s.startswith("PID") for s in segments):
        message.error = explain(gettext_noop("the message has no PID segment (which patient?)"))
        return message
    if not any(s.startswith("OBX") for s in segments):
        message.error = explain(gettext_noop("the message has no OBX segment (no results): truncated?"))
        return message
    message.records = list(_records(number, message.control_id, parsed))
    return message


def _records(number: int, control_id: str, parsed) -> Iterator[LabRecord]:
    ids, screening, dob, collected, obx_n, problem, report = [], "", None, None, 0, "", ""
    for segment in parsed:
        name = str(segment[0])
        if name == "PID":
            ids, screening = [], ""
            for r in range(1, 6):
                value, kind = _f(segment, 3, r, 1), _f(segment, 3, r, 5).upper()
                if value and kind == "SN":
                    screening = value
                elif value:
                    ids.append(value)
            try:
                dob = hl7_time(_f(segment, 7))
            except ValueError:
                problem = _not_a_time("PID-7", _f(segment, 7))
        elif name == "OBR":
            report = _f(segment, 3, 1, 1) or _f(segment, 2, 1, 1)  # filler, else placer order number
            try:
                collected, problem = hl7_time(_f(segment, 7)), ""
            except ValueError:
                collected, problem = None, _not_a_time("OBR-7", _f(segment, 7))
        elif name == "OBX":
            obx_n += 1
            codes = []
            for r in range(1, 3):
                for first, system in ((1, 3), (4, 6)):  # CE: identifier^text^system^alt id^alt text^alt system
                    code, sys_name = _f(segment, 3, r, first), _f(segment, 3, r, system).upper()
                    if code:
                        codes.append(("loinc" if sys_name in ("LN", "LOINC") else "local", code.upper()))
            status = _f(segment, 11).upper()
            record = LabRecord(
                position=number, message_id=f"{control_id}#{_f(segment, 1) or obx_n}", report_id=report,
                hospital_ids=list(ids),
                screening_number=screening, date_of_birth=dob.date() if dob else None, collected_at=collected,
                codes=codes, test_name=_f(segment, 3, 1, 2), value_text=_f(segment, 5), unit=_f(segment, 6, 1, 1),
                reference_range=_f(segment, 7), abnormal_flag=_f(segment, 8),
                result_status="corrected" if status == "C" else "final")
            if problem:
                record.error = problem
            elif collected is None:
                record.error = explain(gettext_noop("no collection time (OBR-7)"))
            elif status not in ("F", "C", ""):
                record.error = explain(gettext_noop("OBX-11 status %(status)s is not final (F) or corrected (C)"),
                                       status=status)
            yield record


def _not_a_time(field_name: str, text: str) -> Explanation:
    return explain(gettext_noop("%(field)s not an HL7 time: %(value)s"), field=field_name, value=repr(text))


def read_hl7(text: str) -> Iterator[Message]:
    for number, chunk in enumerate(split_messages(text), start=1):
        yield parse_message(number, chunk)


def ack(message: Message, code: str, text: str = "") -> str:
    """The ACK for a message: AA staged, AE error in the content, AR refused (python-hl7)."""
    if message.parsed is not None:
        reply = message.parsed.create_ack(code, application="EDC", facility="TRIAL")
        out = str(reply).rstrip("\r")
        if text:
            out += f"|{_escape(text)[:200]}"  # MSA-3 text message
        return out
    now = datetime.now().strftime("%Y%m%d%H%M%S")
    return (f"MSH|^~\\&|EDC|TRIAL|||{now}||ACK|{hl7.generate_message_control_id()}|P|2.4\r"
            f"MSA|{code}|{_escape(message.control_id)}|{_escape(text)[:200]}")


def _escape(text: str) -> str:
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
            .replace("&", "\\T\\").replace("~", "\\R\\").replace("\r", " ").replace("\n", " "))
