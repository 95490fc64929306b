"""The shipped Simplified Chinese catalogue: complete, placeholders intact, .mo compiled and loaded.

No database needed. After editing the .po, rebuild the .mo with
`.venv/bin/python scripts/compile_messages.py` (or `make messages`).
"""
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s / %(n)d style (gettext python-format), bare %s / %d, and {{ name }} (template text)
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BARE = re.compile(r"%(?!\()[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
TEMPLATE_VAR = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
BRACED = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")  # {time}: a token a static script replaces


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _placeholders(text: str) -> Counter:
    text = text.replace("%%", "")
    found = Counter(m.group(0) for m in NAMED.finditer(text))
    found.update(m.group(0) for m in BARE.finditer(text))
    found.update("{{ " + m.group(1) + " }}" for m in TEMPLATE_VAR.finditer(text))
    found.update("{" + m.group(1) + "}" for m in BRACED.finditer(text))
    return found


def _translations(entry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def test_the_header_declares_simplified_chinese(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated(po):
    assert len(po) > 200, "the catalogue looks truncated"
    assert po.obsolete_entries() == [], "remove obsolete (#~) entries"
    assert po.fuzzy_entries() == [], [e.msgid for e in po.fuzzy_entries()]
    untranslated = [e.msgid for e in po
                    if not e.obsolete and not all(s.strip() for s in _translations(e))]
    assert untranslated == []
    for e in po:
        if e.msgid_plural:
            assert sorted(e.msgstr_plural) == [0], f"zh_Hans has one plural form: {e.msgid!r}"


def test_placeholders_survive_translation(po):
    wrong = {}
    for e in po:
        expected = _placeholders(e.msgid)
        if e.msgid_plural:
            expected |= _placeholders(e.msgid_plural)
        for s in _translations(e):
            if _placeholders(s) != expected:
                wrong[e.msgid] = (sorted(expected), sorted(_placeholders(s)))
    assert wrong == {}


def test_the_compiled_mo_matches_the_po(po):
    assert MO_PATH.exists(), "run scripts/compile_messages.py"
    mo = polib.mofile(str(MO_PATH))
    from_po = {_key(e): _translations(e) for e in po.translated_entries()}
    from_mo = {_key(e): _translations(e) for e in mo if e.msgid}
    assert from_mo == from_po, "the .mo is stale: run scripts/compile_messages.py"
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"]


def test_django_loads_the_chinese_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Participants") == "受试者"
        assert translation.gettext("screened") == "已筛选"
        assert translation.gettext("enrolled of %(target)s") % {"target": 96} == "已入组（目标 96）"
    with translation.override("en"):
        assert translation.gettext("Participants") == "Participants"


def test_every_string_marked_for_translation_is_in_the_catalogue(po):
    """Python (any alias of the gettext family) and templates ({% translate %}, blocktranslate,
    _("...") filter arguments), found as makemessages would (scripts/extract_messages.py)."""
    from scripts.extract_messages import extract

    found = extract()
    assert len(found) > 1000, "the extractor found too little: is it still reading the sources?"
    have = {_key(e) for e in po if e.translated()}
    missing = sorted(f"{where[0]}: {msgid!r}" for (ctx, msgid), (_plural, where) in found.items()
                     if (ctx, msgid) not in have)
    assert missing == [], "add these to locale/zh_Hans/LC_MESSAGES/django.po (scripts/add_messages.py)"


def test_a_placeholder_mismatch_would_be_caught():
    assert _placeholders("%(form)s is %(status)s.") != _placeholders("%(form)s 的状态为%(s)s。")
    assert _placeholders("ends in {time}") != _placeholders("将在 {时间} 后结束")
    assert _placeholders("{{ n }} open") == _placeholders("{{ n }} 个")


def test_form_titles_and_system_organ_classes_are_chinese_in_a_chinese_session():
    from crf import registry
    from crf.workflow import STATUS_LABELS
    from safety.vocab import SOC_CHOICES

    with translation.override("en"):
        english = {t.key: str(t.label) for t in registry.ordered()}
    with translation.override("zh-hans"):
        assert str(registry.get("labs").label) == "实验室检查"
        same = [t.key for t in registry.ordered() if str(t.label) == english[t.key] and t.key not in ("sledai",)]
        assert same == []  # "SLEDAI-2K" is the instrument's name in both languages
        labels = dict(SOC_CHOICES)
        assert str(labels["Cardiac disorders"]) == "心脏器官疾病"
        assert all(str(label) != code for code, label in SOC_CHOICES)
        assert str(STATUS_LABELS["verified"]) == "已核查"
