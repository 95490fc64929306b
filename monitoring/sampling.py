"""Deterministic, reproducible SDV sampling (docs/CENTRAL_MONITORING.md "Sampling").

A non-critical form is in the sample when the first 13 hex digits (52 bits) of md5(key ":" form id)
read as an integer fall below rate × 2^52 / 100. The form id is the form's UUID, which names one
form of one participant for good (it is never reused), so this is a keyed hash of participant + form.
The same rule is written once more in SQL (`sql_condition`) so coverage is counted
in the database; a test holds the two to the same answers.

Why this shape: the sample depends only on the plan's secret key and the form's identity, so it does
not change under the monitor's feet as data arrive; raising the rate only adds forms (a form in the
sample at 20 % stays in it at 30 %); and site staff, who never see the key, cannot predict it.
md5 is used as a mixing function, not for security, because PostgreSQL has it without extensions.
"""
import hashlib

HEX_DIGITS = 13
SPACE = 16 ** HEX_DIGITS  # 2^52


def threshold(rate_pct: int) -> int:
    if not 0 <= rate_pct <= 100:
        raise ValueError(f"sampling rate {rate_pct} is not a percentage")
    return rate_pct * SPACE // 100


def draw(key: str, object_id) -> int:
    text = f"{key}:{object_id}"
    return int(hashlib.md5(text.encode()).hexdigest()[:HEX_DIGITS], 16)


def in_sample(key: str, object_id, rate_pct: int) -> bool:
    return draw(key, object_id) < threshold(rate_pct)


def sql_params(key: str, rate_pct: int) -> dict:
    """The parameters of `sql_condition`: the key with its colon, and the threshold written as the
    13 lowercase hex digits a draw is compared with ('g' sorts after every hex digit: rate 100 %)."""
    below = threshold(rate_pct)
    return {"sampling_key": f"{key}:", "sampling_below": f"{below:0{HEX_DIGITS}x}" if below < SPACE else "g",
            "sampling_threshold": below}  # the integer, for draws kept as numbers (monitoring.draws)


def sql_condition(object_col: str) -> str:
    """The same draw in SQL, with the parameters of `sql_params`. Written to hash as little text as
    possible: it runs once per form. The 32 hex digits of md5 compared as text (byte order, COLLATE
    "C") with the threshold's 13 digits order exactly as their first 13 digits read as an integer
    compare with the threshold (equal first 13 digits: the longer text is greater, the draw is not
    below), so no conversion to bits and integers is needed."""
    return f'(md5(%(sampling_key)s || {object_col}::text) COLLATE "C" < %(sampling_below)s)'
