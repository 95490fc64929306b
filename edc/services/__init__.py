"""Writes that matter, one module per step of the trial core (HackSoft style: views call these)."""
