"""Departments: who owes which sections, tables and indicators; their kits; collecting and tracking returns.

The public API (the CLI and the web page call only these):
    make_kits(root, output=None, departments=None) -> KitResult                 (kit.py)
    collect(root, paths, department=None, now=None) -> CollectResult             (collect.py)
        .files (FileOutcome: status accepted/unchanged/refused/ignored, department, message, problems),
        .lines() the human summary, .problems every located problem, .to_dict()
    project_status(root, today=None) -> StatusReport, with .lines() and .to_dict()   (status.py)
Bad input raises ReportgenError subclasses (errors.py), like every other command.
"""
