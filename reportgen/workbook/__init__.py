"""The fill-in workbook (.xlsx): export from the pack's definitions, read back with cell locations, merge with YAML.

- layout.py: sheet names, header texts and the hidden sheet's format, shared by export and import
- fingerprint.py: canonical values and hashes for the three-way merge
- export.py: `reportgen workbook` (openpyxl)
- safety.py: refuses corrupt, encrypted, huge and zip-bomb files before openpyxl parses them
- importer.py: which sheet is which → RawTable / RawIndicators with sheet › cell locations
  (sheet.py a sheet's cells, read_tables.py a detail table, read_indicators.py the 指标 sheet)
- merge.py: workbook + YAML → one RawProject; conflicts name both places
"""
