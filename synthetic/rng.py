"""Seeded randomness. Every stream is a `random.Random` seeded with a string (SHA-512 "version 2"
seeding, identical in every process; `hash()` is never used), one stream per participant and
area, so the same seed and size give the same data whatever the chunking or order of work."""
import math
import random
import uuid
from collections.abc import Sequence


class Rng(random.Random):
    def uuid(self) -> uuid.UUID:
        """A version-4 UUID drawn from this stream (so keys are reproducible too)."""
        return uuid.UUID(int=self.getrandbits(128), version=4)

    def chance(self, p: float) -> bool:
        return self.random() < p

    def pick(self, weighted: Sequence[tuple[object, float]]):
        """One value from [(value, weight), ...]."""
        values, weights = zip(*weighted, strict=True)
        return self.choices(values, weights)[0]

    def clipped(self, mu: float, sigma: float, low: float, high: float) -> float:
        return min(high, max(low, self.gauss(mu, sigma)))

    def lognormal(self, median: float, sigma: float, low: float, high: float) -> float:
        return min(high, max(low, median * math.exp(self.gauss(0, sigma))))

    def poisson(self, lam: float) -> int:
        # Knuth; lam is small here (a few events per participant)
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.random()
            if p <= limit:
                return k
            k += 1


def rng_for(seed: int, *parts) -> Rng:
    return Rng(":".join(str(p) for p in (seed, *parts)))
