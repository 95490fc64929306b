"""Stratified permuted-block allocation list with blind codes (protocol 2.7; docs/DOMAIN.md §9).

Pure Python, no Django. Protocol 2.7 stratifies by prior first-line therapy (4 strata of 24) and asks for
a list the system can generate itself "balanced ... reproducibly", because odd/even random numbers alone
do not guarantee balance (§9: simple randomisation balances only asymptotically). So, per stratum:

* blocks are drawn at random from `block_sizes` (default 2 or 4 - the "Decisions" section); random sizes
  keep the next allocation from being guessed at the end of a fixed block (§9, SPIRIT 16a);
* each block holds exactly size/2 of each arm in a random order, so the running imbalance never exceeds
  max(block_sizes)/2 and is zero at every block end (§9);
* when the remaining capacity is smaller than the drawn size, a size is drawn again from those that fit;
  if none fits (an odd capacity leaves 1; or e.g. sizes (4,) with 2 left) the remainder forms one last,
  shorter block with remainder//2 of each arm plus, for an odd remainder, one arm drawn at random. With
  sizes containing 2 that means: for an odd capacity the final row alone is a single random arm.

Reproducibility of the arms: every arm stream is a `random.Random` seeded with a string derived from the
recorded integer seed (string seeds use SHA-512, "version 2" seeding, identical in every process;
`hash()` is salted per process and is never used). Blocks and arms of a stratum come from
f"{seed}:blocks:{stratum}". The same (strata, seed, block_sizes) therefore give the same arms and blocks
bit-for-bit; record all three plus ALGORITHM with the list. The seed itself must be secret and strong
(MIN_SEED_BITS; docs/BLINDING.md "Seeds"): whoever knows it knows every arm.

Blind codes are what clinicians and participants see (2.7, 2.8). They are drawn from the operating
system's cryptographic source (`secrets.SystemRandom`), independent of the seed and of the generator that
draws arms: someone who knows the algorithm, the seed's stream and any number of blind codes learns
nothing about any row's arm or position (docs/BLINDING.md "Blind codes"). They are therefore not
reproducible from the seed; the stored list is the record. The alphabet omits 0/O/1/I/L (misreading on
bag labels); a code that spells an arm hint (ARM_HINTS, e.g. "MSC", "PBO") is drawn again for either arm
alike, so the rejection leaks nothing.
"""
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ARMS = ("msc", "placebo")
ALGORITHM = "stratified-permuted-blocks/1"  # bump if anything below changes the list for a given seed
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 symbols: no 0/O/1/I/L
CODE_LENGTH = 8  # 31**8 ~ 8.5e11 codes: clashes are rare and redrawn
# Substrings hinting at an arm (uc-MSC / placebo / control). Those containing L can never be drawn
# (L is not in the alphabet) but are listed so the rule stays true if the alphabet changes.
ARM_HINTS = ("MSC", "UCM", "PLA", "PLC", "PBO", "CTL", "CTR")
# A seed is a secret key to every arm: at least 64 bits (docs/BLINDING.md "Seeds"). A typed seed must
# be a number of at least MIN_SEED_BITS bits; generated seeds have SEED_BITS.
MIN_SEED_BITS = 64
SEED_BITS = 128
MAX_SEED_BITS = 256


def new_seed() -> int:
    """A secret seed of SEED_BITS bits from the operating system's cryptographic source (top bit set,
    so it always passes `check_seed_strength`)."""
    return secrets.randbits(SEED_BITS) | (1 << (SEED_BITS - 1))


def seed_is_strong(seed: int) -> bool:
    """At least MIN_SEED_BITS bits (>= 2**63) and at most MAX_SEED_BITS."""
    return MIN_SEED_BITS <= seed.bit_length() <= MAX_SEED_BITS


@dataclass(frozen=True)
class ListRow:
    stratum: str
    sequence: int  # 1-based within the stratum, in recruitment order (2.7)
    blind_code: str
    arm: str  # one of ARMS
    block: int  # block number within the stratum, 1-based; 0 for rows imported from a file


@dataclass(frozen=True)
class StratumBalance:
    stratum: str
    msc: int
    placebo: int
    max_running_imbalance: int  # max |msc - placebo| over every prefix of the stratum, by sequence
    size: int


def blind_code(rng: random.Random) -> str:
    """Draw one blind code "XXXX-XXXX" from `rng`; codes containing an arm hint are drawn again."""
    while True:
        chars = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not any(hint in chars for hint in ARM_HINTS):  # checked without the hyphen: "MS-C" counts
            return f"{chars[:4]}-{chars[4:]}"


def generate_list(
    strata: Sequence[tuple[str, int]], seed: int, block_sizes: Sequence[int] = (2, 4),
    code_rng: random.Random | None = None,
) -> list[ListRow]:
    """The allocation list for `strata` ([(code, capacity), ...], in this order) from `seed`. Blind
    codes come from `code_rng`, by default the system's cryptographic source; never pass a generator
    seeded from `seed` (tests pass a scripted one to pin a clash)."""
    _validate(strata, seed, block_sizes)
    code_rng = code_rng or secrets.SystemRandom()
    used: set[str] = set()
    rows: list[ListRow] = []
    for stratum, capacity in strata:
        block_rng = random.Random(f"{seed}:blocks:{stratum}")
        sequence = 0
        for block_no, arms in enumerate(_blocks(block_rng, capacity, block_sizes), start=1):
            for arm in arms:
                sequence += 1
                code = blind_code(code_rng)
                while code in used:  # unique across the whole list, not only the stratum
                    code = blind_code(code_rng)
                used.add(code)
                rows.append(ListRow(stratum, sequence, code, arm, block_no))
    return rows


def _blocks(rng: random.Random, capacity: int, block_sizes: Sequence[int]) -> Iterable[list[str]]:
    remaining = capacity
    while remaining > 0:
        size = rng.choice(block_sizes)
        if size > remaining:
            fitting = [s for s in block_sizes if s <= remaining]
            size = rng.choice(fitting) if fitting else remaining
        arms = [ARMS[0], ARMS[1]] * (size // 2)
        if size % 2:  # only the last, shorter block can be odd: its extra arm is a fair draw
            arms.append(rng.choice(ARMS))
        rng.shuffle(arms)
        remaining -= size
        yield arms


def _validate(strata: Sequence[tuple[str, int]], seed: int, block_sizes: Sequence[int]) -> None:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be an int, not {type(seed).__name__}")
    if not strata:
        raise ValueError("at least one stratum is required")
    seen: set[str] = set()
    for item in strata:
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise ValueError(f"each stratum must be (code, capacity), not {item!r}")
        code, capacity = item
        if not isinstance(code, str) or not code:
            raise ValueError(f"stratum code must be a non-empty string, not {code!r}")
        if code in seen:
            raise ValueError(f"duplicate stratum code {code!r}")
        seen.add(code)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise ValueError(f"capacity of stratum {code!r} must be an int >= 1, not {capacity!r}")
    if not block_sizes:
        raise ValueError("at least one block size is required")
    for size in block_sizes:
        if not isinstance(size, int) or isinstance(size, bool) or size < 2 or size % 2:
            raise ValueError(f"block sizes must be positive even ints (1:1 allocation), not {size!r}")


def balance(rows: Iterable[ListRow]) -> dict[str, StratumBalance]:
    """Arm counts and worst running imbalance per stratum (strata in order of first appearance)."""
    by_stratum: dict[str, list[ListRow]] = {}
    for row in rows:
        if row.arm not in ARMS:
            raise ValueError(f"unknown arm {row.arm!r}")
        by_stratum.setdefault(row.stratum, []).append(row)
    result: dict[str, StratumBalance] = {}
    for stratum, items in by_stratum.items():
        diff = worst = msc = 0
        for row in sorted(items, key=lambda r: r.sequence):
            is_msc = row.arm == ARMS[0]
            msc += is_msc
            diff += 1 if is_msc else -1
            worst = max(worst, abs(diff))
        result[stratum] = StratumBalance(stratum, msc, len(items) - msc, worst, len(items))
    return result
