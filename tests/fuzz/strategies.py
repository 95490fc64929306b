"""Shared hypothesis settings and input strategies for the fuzz tests.

`fuzz(n)` is the one settings decorator: n examples, no deadline (a request takes what it takes on a
shared 2-core machine), derandomized and without an example database so that CI runs the same examples
every time, and the function-scoped-fixture health check off (a page test reuses one participant across
its examples on purpose: each example runs inside its own savepoint, see `tests/fuzz/db.py`)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_SETTINGS = dict(
    deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much,
                           HealthCheck.large_base_example],
)


def fuzz(max_examples: int = 40):
    return settings(max_examples=max_examples, **_SETTINGS)


# --- numbers for the pure calculators -------------------------------------------------------------

EDGE_NUMBERS = [0, -0.0, 1, -1, 0.5, 1e-300, 5e-324, 1e308, -1e308, float("nan"), float("inf"),
                float("-inf"), 10**400, -(10**400), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"),
                Decimal("-Infinity"), Decimal("1E+999999"), Decimal("1E-999999"), Decimal("-0"),
                Decimal("0.0000001"), 2**63, -(2**63)]

any_number = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.decimals(allow_nan=True, allow_infinity=True),
)
finite_float = st.floats(allow_nan=False, allow_infinity=False)


def maybe(strategy):
    return st.one_of(st.none(), strategy)


any_date = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
trial_date = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
naive_datetime = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))


# --- text for the pages ---------------------------------------------------------------------------

NASTY_STRINGS = [
    "", " ", "\x00", "a\x00b", "\x00" * 10, "\r\n", "\t", "\ufeff", "\u202e\u202d", "\ud7ff",
    "肾炎患者", "狼疮性肾炎 第二次", "مرحبا بالعالم", "שלום", "😀🩺💉", "👨‍👩‍👧‍👦", "Z\u0351\u0364\u036b",
    "<script>alert(1)</script>", "' OR 1=1 --", "%s%s%n", "{0}{name}", "${jndi:x}", "../../etc/passwd",
    "null", "None", "true", "on", "False", "NaN", "nan", "inf", "-inf", "Infinity", "1e309", "-1e309",
    "0", "-0", "-1", "1.5", "1,5", "0x10", "１２３", "٣", "9" * 30, "9" * 5000, "-" + "9" * 40,
    "0.000000000000000000000000001", "1E+999999", "2147483648", "9223372036854775808", "-2147483649",
    "2024-02-30", "2024-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "10000-01-01", "31/12/2024",
    "2024-01-01T25:61", "2024-01-01T10:00", "2024-01-01 10:00:00+99:00", "1970-01-01T00:00:00Z",
    "x" * 20_000, "中" * 5_000,
]

nasty_text = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
)


def near_dates(center: date) -> st.SearchStrategy[str]:
    """ISO dates around `center` (plausible ones reach the deep checks) and far away."""
    return st.one_of(
        st.integers(min_value=-800, max_value=800).map(lambda d: (center + timedelta(days=d)).isoformat()),
        st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    )


def near_datetimes(center: date) -> st.SearchStrategy[str]:
    return st.integers(min_value=-800 * 24 * 60, max_value=800 * 24 * 60).map(
        lambda m: (datetime.combine(center, datetime.min.time()) + timedelta(minutes=m)).strftime(
            "%Y-%m-%dT%H:%M"))


def post_data(valid: dict, extra_fields: list[str] = (), *, clean: dict | None = None):
    """POST dicts built from a valid one: some fields replaced by nasty text or by `clean` values for
    that field (plausible values that reach the service's checks), some dropped, some extra added."""
    names = sorted(set(valid) | set(extra_fields))
    clean = clean or {}

    def value_for(name):
        options = [nasty_text]
        if name in clean:
            options.insert(0, clean[name])
        return st.one_of(*options)

    @st.composite
    def build(draw):
        data = dict(valid)
        changed = draw(st.lists(st.sampled_from(names), max_size=min(4, len(names)), unique=True)) if names else []
        for name in changed:
            if draw(st.integers(0, 5)) == 0:
                data.pop(name, None)
            else:
                data[name] = draw(value_for(name))
        return data

    return build()


def clean_values(form, today: date) -> dict[str, st.SearchStrategy[str]]:
    """For each field of a Django form, values of its own type and range (as POST strings): what a user
    could really type, so the examples get past the form into the derive/hard/soft checks and the save."""
    from django import forms

    out: dict[str, st.SearchStrategy[str]] = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.BooleanField):
            out[name] = st.sampled_from(["on", "", "False", "True", "1"])
        elif isinstance(field, forms.ChoiceField):
            values = [str(getattr(v, "value", v)) for v, _ in field.choices]
            out[name] = st.sampled_from(values or [""])
        elif isinstance(field, forms.DecimalField):
            digits, places = field.max_digits or 12, field.decimal_places or 3
            bound = Decimal(10) ** (digits - places)
            out[name] = st.one_of(
                st.decimals(min_value=-bound, max_value=bound, places=places, allow_nan=False,
                            allow_infinity=False),
                st.decimals(min_value=0, max_value=10, places=places)).map(str)
        elif isinstance(field, forms.IntegerField):
            out[name] = st.one_of(st.integers(-10, 400), st.integers(-(10**12), 10**12)).map(str)
        elif isinstance(field, forms.DateTimeField):
            out[name] = near_datetimes(today)
        elif isinstance(field, forms.DateField):
            out[name] = near_dates(today)
        else:
            out[name] = st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["x", " ", "正常"]))
    return out
