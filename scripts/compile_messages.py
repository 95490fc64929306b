"""Compile every locale/*/LC_MESSAGES/django.po to django.mo with polib.

Does the job of `manage.py compilemessages` on machines without GNU gettext (msgfmt):

    .venv/bin/python scripts/compile_messages.py

Fuzzy entries are left out of the .mo, as msgfmt does; obsolete (#~) entries never go in.
Exits non-zero if a catalogue cannot be parsed.
"""
from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"


def compile_one(po_path: Path) -> Path:
    po = polib.pofile(str(po_path))
    # msgfmt leaves fuzzy translations out; do the same so the two tools agree.
    for entry in po:
        if "fuzzy" in entry.flags and entry.msgid:
            entry.msgstr = ""
            entry.msgstr_plural = {k: "" for k in entry.msgstr_plural}
    mo_path = po_path.with_suffix(".mo")
    po.save_as_mofile(str(mo_path))
    return mo_path


def main() -> int:
    po_files = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))
    if not po_files:
        print(f"No django.po found under {LOCALE_DIR}", file=sys.stderr)
        return 1
    for po_path in po_files:
        try:
            mo_path = compile_one(po_path)
        except (OSError, ValueError) as exc:
            print(f"{po_path.relative_to(ROOT)}: {exc}", file=sys.stderr)
            return 1
        print(f"{po_path.relative_to(ROOT)} -> {mo_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
