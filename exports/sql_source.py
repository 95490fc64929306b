"""A dataset's rows as one SQL SELECT (`Dataset.sql`), and the wrapper that names its columns.

The per-format SELECTs (exports.copy_csv for the CSV text, exports.sql_frame for the frame's columns,
exports.sql_odm for the ODM lines) all read `FROM (<the dataset's SELECT>) AS t(c0, c1, …)`: one column
expression per dataset column, over the rows in the dataset's order (PostgreSQL keeps a subquery's ORDER BY
for a plain projection over it)."""
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.sql.where import WhereNode


def query_sql(queryset) -> tuple[str, list]:
    """A queryset's SELECT and parameters, for `Dataset.sql`. A queryset Django knows to be empty (a filter on
    an empty list of sites) has no SQL of its own: its columns are then read from the unfiltered query, with no
    rows."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        query = queryset.query.clone()
        query.where = WhereNode()
        sql, params = query.sql_with_params()
        sql = f"SELECT * FROM ({sql}) AS nothing WHERE false"
    return sql, list(params)


def refs(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


def over(dataset, select: str, tail: str = "") -> str:
    """`SELECT <select> FROM (<dataset's SELECT>) AS t(c0 … cn) <tail>` with the parameters bound (for COPY,
    which takes none)."""
    sql, params = dataset.sql()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()
    return f"SELECT {select} FROM ({inner}) AS t({', '.join(refs(len(dataset.columns)))}) {tail}".rstrip()
