"""Strata, allocation list, blind codes, randomize, pharmacy, emergency unblinding."""
