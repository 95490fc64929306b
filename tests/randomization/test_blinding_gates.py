"""Every read of an arm goes through randomization/blinding.py (docs/BLINDING.md "Who sees an arm"):
the code is scanned for reads of `AllocationRow.arm` anywhere else."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("edc", "crf", "safety", "exports", "randomization", "synthetic")
ARM_READ = re.compile(r"\.arm\b|get_arm_display|__arm\b|\barm\s*=\s*(?!models\.)"
                      r"|\b(values|values_list|only|defer|order_by)\([^)]*[\"'](\w+__)?arm[\"']")
# The files that may touch the arm, and why. Anything else is a read around the gates.
ALLOWED = {
    "randomization/blinding.py": "the gates themselves",
    "randomization/models.py": "the one table that holds the arm",
    "randomization/sequence.py": "draws the list (pure, no reader)",
    "randomization/csv_import.py": "parses the statistician's list (administrator only)",
    "randomization/services/allocation_list.py": "stores generated/imported/appended rows (administrator only)",
    "randomization/views/allocation.py": "the list download, @allow(randomization administrator)",
    "randomization/selectors.py": "allocation_status: balance per stratum for the administrator's page",
    "synthetic/course.py": "the synthetic-trial generator (development and benchmarks; not in production)",
    "synthetic/crfs.py": "as synthetic/course.py",
    "synthetic/people.py": "as synthetic/course.py",
}


def offending_lines() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if ARM_READ.search(code):
                    found.append(f"{rel}:{number}: {line.strip()}")
    return found


def test_no_arm_is_read_outside_the_gates():
    assert offending_lines() == []


def test_the_scan_sees_a_read_around_the_gates(tmp_path):
    for sample in ("x = p.randomization.row.arm", "row.get_arm_display()", "filter(row__arm='msc')",
                   "values_list('stratum', 'arm')"):
        assert ARM_READ.search(sample), sample


def test_every_allowed_file_exists_and_still_touches_the_arm():
    for rel in ALLOWED:
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert ARM_READ.search(text) or "arm" in text, rel
