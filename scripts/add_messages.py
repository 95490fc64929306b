"""Append translations to the zh_Hans catalogue as one block at its end (entries already there are
left alone), then compile: `.venv/bin/python scripts/add_messages.py translations.py`, where the
file defines ZH = {msgid: msgstr} and, for plural messages, ZH_PLURAL = {msgid: msgstr}; the plural
msgid is read from the source (scripts/extract_messages.py)."""
import os
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(path: str) -> int:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    django.setup()
    from scripts.extract_messages import extract

    found = extract()
    data = runpy.run_path(path)
    po_path = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    have = {(e.msgctxt or "", e.msgid) for e in po}
    block = []
    for msgid, msgstr in {**data.get("ZH", {}), **data.get("ZH_PLURAL", {})}.items():
        if ("", msgid) in have:
            continue
        plural = found.get(("", msgid), ("", []))[0]
        where = found.get(("", msgid), ("", []))[1]
        entry = polib.POEntry(msgid=msgid, occurrences=[(w.split(":")[0], w.split(":")[1] if ":" in w else "")
                                                        for w in where[:1]])
        if plural:
            entry.msgid_plural, entry.msgstr_plural = plural, {0: msgstr}
        else:
            entry.msgstr = msgstr
        if "%(" in msgid or "%s" in msgid:
            entry.flags.append("python-format")
        block.append(entry.__unicode__(wrapwidth=0))
    if block:  # appended as text: the rest of the file is left exactly as it was (easy merges)
        with po_path.open("a", encoding="utf-8") as out:
            out.write("\n" + "\n".join(block))
    print(f"{len(block)} entries added")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
