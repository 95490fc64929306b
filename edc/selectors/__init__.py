"""Reads that pages and exports share."""
