"""Randomization pages: allocation (administrator), randomize (investigators), pharmacy, unblinding."""
