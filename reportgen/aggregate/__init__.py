"""Summary report over many schools: collect each school's computed values (collect.py), aggregate
them (stats.py) and render an aggregate pack into the same document model and writer (report.py)."""
