"""Demo part of the randomization module: the four default strata and a generated list."""
from edc.models import User
from randomization.models import AllocationList
from randomization.services import allocation_list
from randomization.services.strata import ensure_default_strata

# The demo's published seed: it exists only here (a real list uses a secret seed; docs/BLINDING.md "Seeds").
DEMO_SEED = 20241001


def load_demo(stdout) -> None:
    admin = User.objects.filter(username="randadmin").first()
    if admin is None:
        return
    ensure_default_strata(admin)
    if not AllocationList.objects.exists():
        allocation_list.generate_from_published_seed(user=admin, seed=DEMO_SEED)
        stdout.write(f"Allocation list generated (seed {DEMO_SEED}, 4 strata × 24).")
