"""The one home for what a reviewer reads about a staged result or a refused batch
(docs/LAB_IMPORT.md "Explanations in the reader's language").

An explanation is an English template marked with `gettext_noop` plus its parameters:
`explain(gettext_noop("collected on %(day)s, outside every visit window"), day=day)`. It *is* the
English text (a `str`), so the stored `explanation` / `error` column, the CLI's JSON, exports,
HL7 ACKs and the audit trail stay English and stable; the template and parameters are stored
beside it (`explanation_msgid` / `explanation_args`) and rendered in the reader's language only
when shown (`shown`). A parameter that is itself words (an analyte's name, "(none)", another
explanation) is an Explanation too and is translated with it; any other parameter is data (a
date, a value as reported, a code) and is shown as it is.

Creating one needs no settings or catalogue (the English text is the template itself), so the pure
parsers and `labs.analytes` use it; only `translated()` calls gettext."""
from __future__ import annotations

from collections.abc import Mapping

Args = Mapping[str, object]


class Explanation(str):
    """English text, with the template (`msgid`) and parameters (`args`) it was made from."""

    msgid: str
    args: dict

    def __new__(cls, msgid: str, args: Args | None = None):
        args = dict(args or {})
        english = {k: _english(v) for k, v in args.items()}
        # strict here: a template and parameters that do not fit is a mistake in labs/, not a reader's problem
        self = super().__new__(cls, msgid % english if english else msgid)
        self.msgid, self.args = msgid, args
        return self

    def translated(self) -> str:
        """The text in the active language (the reader's, at display time)."""
        return _translate(self.msgid, self.args)

    def as_json(self) -> dict:
        return {"msgid": self.msgid, "args": _to_json(self.args)}

    def __reduce__(self):  # kept whole when pickled (an exception crossing a process)
        return (Explanation, (self.msgid, self.args))


def explain(msgid: str, **args) -> Explanation:
    """An explanation from a template marked with gettext_noop and its named parameters."""
    return Explanation(msgid, args)


def word(label) -> Explanation:
    """A word already marked for translation elsewhere (a field's verbose_name, a choice label):
    its English text is its msgid, so the reader sees it in their language."""
    from django.utils.translation import override

    with override("en"):
        return Explanation(str(label))


def stored(text, prefix: str = "explanation", limit: int = 300) -> dict:
    """The columns that keep `text` (an Explanation, a plain string or None): the English text (cut
    to the column's length), and the template and parameters to show it in another language."""
    text = text or ""
    out = {prefix: str(text)[:limit], f"{prefix}_msgid": "", f"{prefix}_args": {}}
    if isinstance(text, Explanation):
        out[f"{prefix}_msgid"], out[f"{prefix}_args"] = text.msgid, _to_json(text.args)
    return out


def keep(obj, text, prefix: str = "explanation", limit: int = 300) -> None:
    """Set those columns on a row (a model instance or staging's Row)."""
    for name, value in stored(text, prefix, limit).items():
        setattr(obj, name, value)


def shown(text: str, msgid: str = "", args: Args | None = None) -> str:
    """What the reader sees: the template rendered in the active language; a row staged before
    templates were kept shows its text (translated when the whole text is a catalogue entry)."""
    if isinstance(text, Explanation):
        return text.translated()
    if msgid:
        return _translate(msgid, _from_json(args or {}))
    from django.utils.translation import gettext

    return gettext(text) if text else ""


def _fill(template: str, args: dict) -> str:
    try:
        return template % args if args else template
    except (KeyError, ValueError, TypeError):  # a translation that lost a placeholder
        return ""


def _english(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_english(v) for v in value)
    return str(value)


def _translate(msgid: str, args: Args) -> str:
    from django.utils.translation import gettext

    return _fill(gettext(msgid), {k: _local(v) for k, v in args.items()}) or _fill(
        msgid, {k: _english(v) for k, v in args.items()})


def _local(value) -> str:
    if isinstance(value, Explanation):
        return value.translated()
    if isinstance(value, list | tuple):
        from django.utils.translation import pgettext

        return pgettext("list separator", ", ").join(_local(v) for v in value)
    return str(value)


def _to_json(args: Args) -> dict:
    def one(value):
        if isinstance(value, Explanation):
            return value.as_json()
        if isinstance(value, list | tuple):
            return [one(v) for v in value]
        return value if isinstance(value, int | float | bool) or value is None else str(value)
    return {k: one(v) for k, v in args.items()}


def _from_json(args: Args) -> dict:
    def one(value):
        if isinstance(value, dict) and "msgid" in value:
            return Explanation(value["msgid"], _from_json(value.get("args") or {}))
        if isinstance(value, list):
            return [one(v) for v in value]
        return value
    return {k: one(v) for k, v in args.items()}
