"""Writes of the randomization module."""
