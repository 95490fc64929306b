"""Writes of the safety module."""
