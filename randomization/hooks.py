"""Steps other apps add to randomization without randomization importing them (docs/ARCHITECTURE.md:
dependencies point one way). crf adds the visit schedule. Each hook runs inside randomize()'s
transaction, so a failing hook leaves no allocation behind."""
from collections.abc import Callable

AFTER_RANDOMIZE: list[Callable] = []


def after_randomize(hook: Callable) -> Callable:
    if hook not in AFTER_RANDOMIZE:
        AFTER_RANDOMIZE.append(hook)
    return hook
