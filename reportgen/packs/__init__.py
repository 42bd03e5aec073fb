"""Sharing template packs: the user pack folder, install/export, inheritance (extends), lint and show.

The pack format itself (pack.yaml and its parts) is reportgen/pack.py; this package is what
lets a province or a 职教集团 hand one pack to many schools and each school adjust it.
"""
