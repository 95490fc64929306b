"""Writes of the crf module."""
