"""The blinding scan's machinery (docs/BLINDING.md "The blinding scan"): a populated trial, the text of
any answer (HTML, JSON, CSV, PDF, zip members including SPSS .sav, e-mails) and the search for arms and
allocation internals in it. Used by tests/randomization/test_blinding.py."""
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field

import pyreadstat
from django.db import connection
from django.utils import translation
from pypdf import PdfReader

from randomization.models import AllocationList, AllocationRow, Arm

# The trial's own title names both arms; it is the same on every page and for every participant.
TRIAL_TITLE = "uc-MSC versus placebo"
ARM_TOKEN = re.compile(r"\b(msc|placebo)\b")  # raw arm codes, lower case (the trial name is "uc-MSC")
# Allocation rows get ids far from any other table's, so an id found in a page is the row's, not a count.
ROW_ID_START = 93_000_001


def arm_labels() -> list[str]:
    labels = []
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            labels += [str(label) for label in Arm.labels]
    return labels


def distinctive_allocation_row_ids() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('randomization_allocationrow', 'id'), %s, false)",
                       [ROW_ID_START])


@dataclass
class Internals:
    """What no blinded role may ever see: arms and every key into, or position in, the allocation table."""
    arm_texts: list[str]
    patterns: list[tuple[str, re.Pattern]] = field(default_factory=list)

    @classmethod
    def of_trial(cls) -> "Internals":
        rows = list(AllocationRow.objects.select_related("stratum"))
        patterns = [(f"allocation row id {r.pk}", re.compile(rf"(?<![\d-]){r.pk}(?![\d-])")) for r in rows]
        patterns += [(f"allocation row {r}", re.compile(re.escape(f"{r.stratum.code} #{r.sequence}") + r"\b"))
                     for r in rows]
        for lst in AllocationList.objects.all():
            patterns.append((f"allocation list id {lst.pk}", re.compile(re.escape(str(lst.pk)))))
            if lst.seed:
                patterns.append(("seed", re.compile(rf"(?<!\d){lst.seed}(?!\d)")))
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                for name in ("sequence", "block"):
                    label = str(AllocationRow._meta.get_field(name).verbose_name)
                    if label not in (name,):  # "block" has no label of its own: its number is searched above
                        patterns.append((f"label {label}", re.compile(re.escape(label), re.IGNORECASE)))
        return cls(arm_labels(), patterns)

    def leaks(self, text: str) -> list[str]:
        text = text.replace(TRIAL_TITLE, "")
        found = [t for t in self.arm_texts if t in text]
        found += [m.group(0) for m in ARM_TOKEN.finditer(text)]
        found += [name for name, pattern in self.patterns if pattern.search(text)]
        return found


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text_of(data: bytes, content_type: str = "", name: str = "") -> str:
    """Everything a person could read in `data`: PDF text, each zip member, a .sav's values and labels."""
    if content_type.startswith("application/pdf") or name.endswith(".pdf") or data[:5] == b"%PDF-":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(f"== {member}\n" + text_of(archive.read(member), name=member)
                             for member in archive.namelist())
    if name.endswith(".sav"):
        return sav_text(data)
    return data.decode("utf-8", errors="replace")


def sav_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(data)
        handle.flush()
        frame, meta = pyreadstat.read_sav(handle.name)
    parts = [frame.to_csv(index=False), repr(meta.column_names_to_labels), repr(meta.variable_value_labels),
             repr(getattr(meta, "file_label", ""))]
    return "\n".join(parts)


def email_text(message) -> str:
    parts = [message.subject, message.body, " ".join(message.to)]
    parts += [content for content, _mime in getattr(message, "alternatives", [])]
    for attachment in message.attachments:
        if isinstance(attachment, tuple):
            name, content, mime = attachment
            parts.append(text_of(content if isinstance(content, bytes) else content.encode(), mime or "", name))
    return "\n".join(str(p) for p in parts)
