"""The compute stage: indicator values per year from the typed dataset, table aggregates, units.

Direction: compute imports neither check nor render. It works on the Dataset the check stage
typed (including the typed numbers of computed values, Dataset.typed_numbers); check's
cross-checks use compute, and render words what compute gives (render/display.py).
"""
