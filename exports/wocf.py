"""Missing primary endpoints (protocol 2.15): worst observation carried forward. No Django.

For each endpoint month (6 and 12), the observed renal response is used when there is one.
When it is missing, the worst response observed at any earlier assessment is carried forward;
with no earlier assessment at all the worst possible value, no response, is imputed (a
participant without data is not counted a responder). Every imputed value is flagged."""
from dataclasses import dataclass

ORDER = {"none": 0, "partial": 1, "complete": 2}  # worst first
ENDPOINT_MONTHS = (6, 12)


@dataclass(frozen=True)
class Endpoint:
    month: int
    category: str
    imputed: bool
    source_month: int | None  # the month the value came from (None: nothing observed, worst imputed)

    @property
    def responder(self) -> bool:  # overall response = complete + partial (protocol 1.2)
        return self.category in ("complete", "partial")


def wocf(observed: dict[int, str | None], endpoints: tuple[int, ...] = ENDPOINT_MONTHS) -> list[Endpoint]:
    """`observed`: month -> response category ("complete" | "partial" | "none") or None if missing."""
    for month, category in observed.items():
        if category is not None and category not in ORDER:
            raise ValueError(f"Unknown response category {category!r} at month {month}")
    out = []
    for month in endpoints:
        value = observed.get(month)
        if value is not None:
            out.append(Endpoint(month, value, False, month))
            continue
        earlier = [(m, c) for m, c in observed.items() if c is not None and m < month]
        if earlier:
            worst_month, worst = min(earlier, key=lambda mc: (ORDER[mc[1]], -mc[0]))
            out.append(Endpoint(month, worst, True, worst_month))
        else:
            out.append(Endpoint(month, "none", True, None))
    return out
