"""Which fields of a record a blinded reader may see in history views, the participant audit trail
(page and CSV) and the casebook PDF: an allowlist, never a denylist (docs/BLINDING.md "Allowlists").

A field is shown when the model names it in `visible_fields` (a tuple of field names), or, for a model
that declares no such tuple, when it is a plain value (text, number, date, choice) or a person (a key
to the user table, printed as the person's name). Keys into any other table are never shown: a key is
not data a reader can use, and one of them (the randomization's allocation row) leads to the arm.
`blinded_fields` (e.g. a bag's cell count) are removed in every case.

Models of the allocation app (`randomization`) must declare `visible_fields`; one that does not shows
nothing, so a field added there later stays hidden until someone decides it is safe.
"""
from django.contrib.auth import get_user_model
from django.db import models

ALLOCATION_APP = "randomization"


def visible_fields(model: type[models.Model], skip: set[str] | frozenset[str] = frozenset(),
                   described: frozenset[type[models.Model]] = frozenset()) -> list:
    """The concrete fields of `model` a blinded reader may see, in model order, minus `skip`.
    `described`: models the caller prints by their description (e.g. the casebook names the medication
    a deviation refers to); keys to them are allowed too, never to the allocation app's models."""
    blinded = set(getattr(model, "blinded_fields", ())) | set(skip)
    declared = getattr(model, "visible_fields", None)
    fields = model._meta.concrete_fields
    if declared is not None:
        return [f for f in fields if f.name in declared and f.name not in blinded]
    if model._meta.app_label == ALLOCATION_APP:
        return []
    return [f for f in fields if f.name not in blinded and _allowed(f, described)]


def _allowed(f, described) -> bool:
    if not f.is_relation or f.related_model is get_user_model():
        return True
    return f.related_model in described and f.related_model._meta.app_label != ALLOCATION_APP
