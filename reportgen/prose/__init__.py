"""Narrative text checked against the data: typed numbers (numbers.py) and references (narrative.py)."""
