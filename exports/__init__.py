"""Statistician datasets, analysis sets, database lock and unblinded export, analysis report."""
