"""A dataset's rows as one SQL SELECT (`Dataset.sql`), and the wrapper that names its columns.

The per-format SELECTs (exports.copy_csv for the CSV text, exports.sql_frame for the frame's columns,
exports.sql_odm for the ODM lines) all read `FROM (<the dataset's SELECT>) AS t(c0, c1, …)`: one column
expression per dataset column, over the rows in the dataset's order (PostgreSQL keeps a subquery's ORDER BY
for a plain projection over it)."""
from django.db import connection


def query_sql(queryset) -> tuple[str, list]:
    """A queryset's SELECT and parameters, for `Dataset.sql`."""
    sql, params = queryset.query.sql_with_params()
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
