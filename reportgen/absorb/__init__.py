"""`reportgen absorb`: take a reviewed draft's edits back into the project (take.py)."""
from .take import Item, Result, absorb

__all__ = ["Item", "Result", "absorb"]
