"""Run by test_concurrency in separate processes: randomize the given participants as soon as the
shared start time arrives, and print one JSON line per attempt."""
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edc.settings")
django.setup()

from edc.models import Participant, User  # noqa: E402
from randomization.services.randomize import randomize  # noqa: E402


def main(start_at: float, user_id: int, participant_ids: list[str]) -> None:
    user = User.objects.get(pk=user_id)
    people = list(Participant.objects.filter(pk__in=participant_ids))
    time.sleep(max(0.0, start_at - time.time()))
    for p in people:
        try:
            r = randomize(p, user=user)
            print(json.dumps({"participant": str(p.pk), "row": r.row_id}), flush=True)
        except Exception as error:
            print(json.dumps({"participant": str(p.pk), "error": repr(error)}), flush=True)


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
