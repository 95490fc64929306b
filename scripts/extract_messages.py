"""Every string the project marks for translation, found without GNU gettext (xgettext).

Python: calls of django.utils.translation's gettext family, under whatever name a module imports
them (`_`, `_lazy`, `gettext_lazy` ...), with literal arguments. Templates: Django's own
`templatize` (what `makemessages` feeds to xgettext) turns {% translate %} / {% blocktranslate %}
and `_("...")` filter arguments into gettext calls, which are read back the same way.

    .venv/bin/python scripts/extract_messages.py          # lists what the zh_Hans catalogue lacks

tests/edc/test_translations.py fails when the catalogue lacks any of them.
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("edc", "crf", "safety", "randomization", "exports", "synthetic", "labs", "templates")
FUNCTIONS = {  # name -> (position of the context, of the singular, of the plural) or None
    "gettext": (None, 0, None), "gettext_lazy": (None, 0, None), "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1), "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None), "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2), "npgettext_lazy": (0, 1, 2),
}
Message = tuple[str, str]  # (context, msgid)


def _python_names(tree: ast.AST) -> dict[str, str]:
    """Local name -> gettext function, from `from django.utils.translation import x as y`."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in FUNCTIONS:
                    names[alias.asname or alias.name] = alias.name
    return names


def _record(found: dict, fn: str, args: list, where: str) -> None:
    ctx_at, one_at, many_at = FUNCTIONS[fn]
    if len(args) <= one_at or not isinstance(args[one_at], str):
        return
    ctx = args[ctx_at] if ctx_at is not None and isinstance(args[ctx_at], str) else ""
    plural = args[many_at] if many_at is not None and len(args) > many_at and isinstance(args[many_at], str) else ""
    found.setdefault((ctx, args[one_at]), (plural, []))[1].append(where)


def from_python(path: Path, found: dict) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = _python_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            _record(found, names[node.func.id], args, f"{path.relative_to(ROOT)}:{node.lineno}")


STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
CALL = re.compile(r"\b(n?p?gettext|_)\(\s*(" + STRING + r"(?:\s*,\s*" + STRING + r")*)", re.S)


def from_template(path: Path, found: dict) -> None:
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in CALL.finditer(code):
        fn = "gettext" if match.group(1) == "_" else match.group(1)
        args = [ast.literal_eval(s) for s in re.findall(STRING, match.group(2), re.S)]
        _record(found, fn, args, str(path.relative_to(ROOT)))


def extract() -> dict[Message, tuple[str, list[str]]]:
    """(context, msgid) -> (msgid_plural, where it is used)."""
    found: dict = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if "migrations" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py":
                from_python(path, found)
            elif path.suffix in (".html", ".txt") and "templates" in path.parts:
                from_template(path, found)
    return found


def main() -> int:
    import os

    import django
    import polib

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    po = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    have = {(e.msgctxt or "", e.msgid) for e in po if e.translated()}
    missing = {k: v for k, v in extract().items() if k not in have}
    for (ctx, msgid), (plural, where) in sorted(missing.items()):
        print(f"{where[0]}: {('[' + ctx + '] ') if ctx else ''}{msgid!r}{' / ' + repr(plural) if plural else ''}")
    print(f"{len(missing)} missing", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
