"""The suite and the application use only what every PostgreSQL build has.

A newcomer's `make test` runs on the embedded PostgreSQL from the `pgserver` wheel, which is built
without optional features (no libxml: `query_to_xml`, `xpath` and friends fail with "unsupported XML
feature"; no contrib extensions). The project once counted rows with `query_to_xml` and passed only
against the machine's full PostgreSQL. This test keeps that class of dependency out of the code: it
scans every Python, SQL and template file of the project for SQL that needs an optional build feature
or an extension, and, when the suite runs on an embedded server, checks that the features listed here
really are missing there (so the list stays true).
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "var", ".git", "node_modules", "__pycache__"}
THIS_FILE = Path(__file__).resolve()

# SQL that needs a build option or an extension the embedded server lacks.
OPTIONAL_FEATURES = {
    "libxml (XML functions)": re.compile(
        r"\b(query_to_xml|table_to_xml|cursor_to_xml|xpath|xpath_exists|xmlparse|xmlelement|xmlforest"
        r"|xmlagg|xmlserialize|xmltable|xml_is_well_formed)\s*\(", re.I),
    "an extension": re.compile(r"\bCREATE\s+EXTENSION\b", re.I),
    "contrib functions": re.compile(
        r"(?<![.\w])(gen_random_bytes|crypt|digest|hmac|uuid_generate_v[14]|similarity|levenshtein|unaccent)\s*\(",
        re.I),
    "ICU collations": re.compile(r"\bCOLLATE\s+\"?[a-z-]+-x-icu\b", re.I),
}


def project_files():
    for path in ROOT.rglob("*"):
        if path.is_dir() or any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.suffix in {".py", ".sql", ".html"} and path.resolve() != THIS_FILE:
            yield path


def sql_texts(path: Path):
    """(line, text) to scan: in Python, the string literals only (SQL lives in strings; a Python function
    called digest() is not SQL); in SQL and templates, the whole file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".py":
        yield 1, text
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        yield 1, text
        return
    for token in tokens:
        if token.type == tokenize.STRING:
            yield token.start[0], token.string


def test_no_sql_needs_an_optional_server_feature():
    found = []
    for path in project_files():
        for first_line, text in sql_texts(path):
            for feature, pattern in OPTIONAL_FEATURES.items():
                for match in pattern.finditer(text):
                    line = first_line + text.count("\n", 0, match.start())
                    found.append(f"{path.relative_to(ROOT)}:{line}: {match.group(0)!r} needs {feature}")
    assert not found, "SQL the embedded PostgreSQL cannot run:\n" + "\n".join(found)


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    # The scan above must be able to fail: each pattern matches the call that broke the suite once, and the
    # Python scan reads SQL in strings (where the query_to_xml call was) but not Python calls.
    module = tmp_path / "m.py"
    module.write_text('COUNT = """\nSELECT (xpath(\'/row/n/text()\', query_to_xml(\'x\', false, true, \'\')))\n"""\n'
                      "key = digest(number)\n")
    scanned = " ".join(text for _line, text in sql_texts(module))
    assert OPTIONAL_FEATURES["libxml (XML functions)"].search(scanned)
    assert not OPTIONAL_FEATURES["contrib functions"].search(scanned)
    samples = {
        "libxml (XML functions)": "SELECT query_to_xml(format('SELECT 1'), false, true, '')",
        "an extension": "create extension pg_trgm",
        "contrib functions": "SELECT gen_random_bytes(8)",
        "ICU collations": 'ORDER BY name COLLATE "zh-x-icu"',
    }
    for feature, sample in samples.items():
        assert OPTIONAL_FEATURES[feature].search(sample), feature


@pytest.mark.django_db
def test_on_the_embedded_server_the_listed_features_really_are_missing():
    settings_dict = connection.settings_dict
    if not str(settings_dict.get("HOST", "")).startswith("/"):
        pytest.skip("runs on the embedded server only (a socket directory under var/), as in CI")
    with connection.cursor() as cursor:
        cursor.execute("SAVEPOINT probe")
        try:
            cursor.execute("SELECT xmlparse(content '<a/>')")
            supported = True
        except Exception:
            supported = False
        cursor.execute("ROLLBACK TO SAVEPOINT probe")
    assert not supported, "the embedded server now has libxml: the list above may be relaxed"
