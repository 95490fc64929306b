"""What a fuzzed request may and may not do to the database.

`table_counts()` counts the rows of every table of the schema in ONE query (a UNION ALL of one
`count(*)` per table, built from the catalogue), so a test can snapshot the whole database around each
request. Only core SQL: the embedded PostgreSQL a newcomer gets (pgserver) is built without optional
features such as libxml, and the suite must pass there (tests/edc/test_server_features.py).
`posted(client, url, data)` runs one request inside a savepoint that is rolled back afterwards, so
every hypothesis example starts from the same database, and checks the two rules of docs/ARCHITECTURE.md
rule 5 and rule 2 that hold for any input:

* the server never answers 500 (the traceback is shown when it does);
* a rejected post (anything but a redirect) writes nothing, in any table, history tables included;
* an accepted post writes no clinical row without its history row.
"""
from django.apps import apps
from django.db import connection, transaction

LIST_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname
"""


def _count_all_tables_sql(cursor) -> tuple[str, list[str]]:
    cursor.execute(LIST_TABLES)
    quote = connection.ops.quote_name
    names = [name for (name,) in cursor.fetchall()]
    return " UNION ALL ".join(
        f"SELECT %s, count(*) FROM {quote(name)}" for name in names
    ), names


# Rows a request may write whatever it does with the form (sign-in bookkeeping, and the read-access log:
# a refused form still showed the participant's data, so the read is rightly recorded; not data).
NOT_DATA = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "edc_readaccess"}


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        sql, names = _count_all_tables_sql(cursor)
        cursor.execute(sql, names)
        return {name: n for name, n in cursor.fetchall() if name not in NOT_DATA}


def changed_tables(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before.get(t, 0), after.get(t, 0)) for t in sorted(set(before) | set(after))
            if before.get(t, 0) != after.get(t, 0)}


def history_pairs() -> list[tuple[str, str]]:
    """(table, its simple-history table) for every audited model."""
    pairs = []
    for model in apps.get_models():
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model") and model._meta.db_table != history.model._meta.db_table:
            pairs.append((model._meta.db_table, history.model._meta.db_table))
    return pairs


class ServerError(AssertionError):
    pass


def _traceback(response) -> str:
    import traceback
    info = getattr(response, "exc_info", None)
    return "".join(traceback.format_exception(*info)) if info else ""


def error_messages(response) -> list[str]:
    """The error-level flash messages the request queued (pages that always redirect say "refused" so)."""
    from django.contrib.messages import ERROR

    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    # Only the messages this request added: older ones still waiting in the cookie are not its answer.
    return [str(m) for m in getattr(storage, "_queued_messages", []) if m.level >= ERROR]


def check_response(response, before, after, *, data=None) -> None:
    if response.status_code >= 500:
        raise ServerError(f"{response.status_code} for {data!r}\n{_traceback(response)}")
    changes = changed_tables(before, after)
    if response.status_code not in (301, 302, 303) or error_messages(response):
        assert not changes, f"rejected ({response.status_code}) but wrote {changes} for {data!r}"
        return
    for table, history in history_pairs():
        grew = after.get(table, 0) - before.get(table, 0)
        audited = after.get(history, 0) - before.get(history, 0)
        assert audited >= grew, f"{table} grew by {grew} but {history} by {audited} for {data!r}"


def request(client, method: str, url: str, data=None, *, setup=None, **extra):
    """One request in a savepoint rolled back afterwards; asserts the rules above; returns the response.
    `setup()` runs first in the same savepoint (e.g. saves the form the request then corrects) and may
    return the URL to use."""
    with transaction.atomic():
        if setup is not None:
            url = setup() or url
        before = table_counts()
        call = getattr(client, method)
        response = call(url, data, **extra) if data is not None else call(url, **extra)
        if response.status_code >= 500:
            transaction.set_rollback(True)
            check_response(response, before, before, data=data)
        after = table_counts()
        transaction.set_rollback(True)
    check_response(response, before, after, data=data)
    return response


def posted(client, url: str, data: dict, **kwargs):
    return request(client, "post", url, data, **kwargs)


def fuzz_page(client, url: str, valid: dict, *, form=None, today=None, extra=(), setup=None,
              examples: int = 25, accepted: int | None = 302) -> None:
    """Check that `valid` is accepted (`accepted` status; None: don't check), then fuzz the page with POST
    data derived from it (tests.fuzz.strategies.post_data), each example in its own rolled-back savepoint."""
    from hypothesis import given

    from tests.fuzz.strategies import clean_values, fuzz, post_data

    if accepted is not None:
        status = posted(client, url, valid, setup=setup).status_code
        assert status == accepted, f"the valid post to {url} answered {status}"
    clean = clean_values(form, today) if form is not None else {}

    @fuzz(examples)
    @given(data=post_data(valid, list(extra), clean=clean))
    def run(data):
        posted(client, url, data, setup=setup)

    run()
