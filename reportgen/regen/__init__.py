"""Regenerating after corrections: the build manifest, what changed since the last build, protected drafts.

`manifest` records one build (inputs, indicator values, tables, sections, placeholders, output hash);
`changes` compares two manifests; `present` turns the comparison into console lines, Markdown or a
document model; `publish` writes a draft and its manifest without ever overwriting a hand-edited file.
"""
