"""The form workflow (issue 6): not started -> in progress -> complete -> verified -> signed ->
locked. One pure function names a form's status from its facts, and one says which actions a
status allows, so pages, services and tests read the same rule."""

ORDER = ["not_started", "in_progress", "complete", "verified", "signed", "locked"]

ALLOWED = {
    # action: statuses it may start from
    "edit": {"not_started", "in_progress", "complete", "verified", "signed"},
    "verify": {"complete"},
    "sign": {"complete", "verified"},
    "lock": {"complete", "verified", "signed"},
}


def form_status(*, exists: bool, entry_status: str = "", verified: bool = False, changed: bool = False,
                signed: bool = False, locked: bool = False) -> str:
    if not exists:
        return "not_started"
    if locked:
        return "locked"
    if entry_status == "in_progress":
        return "in_progress"
    if signed:
        return "signed"
    if verified and not changed:
        return "verified"
    return "complete"  # a change after verification returns the form to complete


def allowed(action: str, status: str) -> bool:
    return status in ALLOWED[action]
