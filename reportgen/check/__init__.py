"""The check stage: type every raw value against the pack (data.py, coerce.py, quantities.py), then,
once indicators are computed, run the pack's cross-checks and standards (rules.py).

Direction: check uses compute (formulas, computed values) and render's display of numbers (so a
message shows a value as the report does); compute never imports check. The pipeline calls
check_project before compute and run_checks after it.
"""
