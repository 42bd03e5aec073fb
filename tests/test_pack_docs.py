"""Pack options are declared once: the JSON schemas the loader validates against, the pack model the loader
fills, and the reference in docs/packs.md must say the same (a drift test)."""
import dataclasses
from pathlib import Path

import yaml

from reportgen.doc.model import HeadingStyle, Typography
from reportgen.errors import Problems
from reportgen.load.yaml_source import load_yaml
from reportgen.pack import ColumnDef, IndicatorDef
from reportgen.packs.inherit import Layer
from reportgen.packs.load import _indicators, column_def
from reportgen.packs.reference import END, START, declared_options, reference_markdown
from reportgen.packs.typography import OLD_LISTS, heading_schema, read_typography, typography_schema

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "packs.md"
# a value for every option, unlike its default, so that an option the loader drops shows
SAMPLES = {"text": "x", "integer": 3, "number": 2.5, "boolean": True, "array": ["甲乙"], "object": {"甲乙": "丙丁"}}


def _leaf(spec: dict):
    """A value inside an option's mapping: a unit name where a string is asked ({from: 亩}), a one-entry
    mapping where a mapping is ({patterns: {亩: 亩}})."""
    if spec.get("type") == "object":
        return {"亩": "亩"}
    return "亩"


def sample(spec: dict):
    if "enum" in spec:
        return spec["enum"][-1]
    kind = spec.get("type")
    if kind == "string":
        return "甲乙"
    if kind == "object" and "properties" in spec:
        return {k: _leaf(spec["properties"][k]) for k in spec.get("required", spec["properties"])}
    return SAMPLES[kind if isinstance(kind, str) else kind[0]]


def test_docs_reference_is_generated_from_the_declaration():
    text = DOC.read_text(encoding="utf-8")
    assert START in text and END in text
    shown = START + text.split(START, 1)[1].split(END, 1)[0] + END
    assert shown == reference_markdown(), "run: python -m reportgen.packs.reference docs/packs.md"


def test_every_declared_option_is_described():
    for part, props in declared_options().items():
        assert all(spec.get("description") for spec in props.values()), part


def test_every_column_option_reaches_the_column_and_every_field_is_declared():
    declared = declared_options()["列（columns 的每一项）"]
    model = {f.name for f in dataclasses.fields(ColumnDef)}
    assert set(declared) == model
    for key, spec in declared.items():
        if key == "name":
            continue
        value = sample(spec)
        col = column_def({"name": "列", key: value})
        assert getattr(col, key) != getattr(ColumnDef("列"), key), f"column option {key} is declared but not read"


def test_every_indicator_option_reaches_the_indicator_and_every_field_is_declared(tmp_path):
    declared = declared_options()["指标（indicators.yaml 的每一项）"]
    model = {f.name for f in dataclasses.fields(IndicatorDef)} - {"name", "loc"}
    assert set(declared) == model
    base = {"kind": "raw", "unit": "m²"}
    for key, spec in declared.items():
        if key in ("kind", "unit"):
            continue
        entry = dict(base, **{key: sample(spec)})
        path = tmp_path / f"{key}.yaml"
        path.write_text(yaml.safe_dump({"指标": entry}, allow_unicode=True), encoding="utf-8")
        problems = Problems()
        d = _indicators(load_yaml(path, path.name), path.name, problems)["指标"]
        assert not problems.errors, [str(p) for p in problems.errors]
        default = IndicatorDef("指标", "raw", d.loc)
        assert getattr(d, key) != getattr(default, key), f"indicator option {key} is declared but not read"


def test_every_typography_setting_is_in_the_reference():
    text = DOC.read_text(encoding="utf-8")
    assert all(f"`{f.name}`" in text for f in dataclasses.fields(Typography))
    assert all(f"`{f.name}`" in text for f in dataclasses.fields(HeadingStyle))


def _typography_of(tmp_path, typography: dict) -> tuple[Typography, Problems]:
    """What the loader makes of a pack.yaml layer whose typography is this, and what it says about it."""
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({"typography": typography}, allow_unicode=True), encoding="utf-8")
    problems = Problems()
    t = read_typography([Layer(tmp_path, load_yaml(path, "pack.yaml"), "pack")], problems)
    assert not problems.errors, [str(p) for p in problems.errors]
    return t, problems


def test_every_typography_setting_reaches_the_typography_and_every_field_is_declared(tmp_path):
    declared = typography_schema()["properties"]
    assert set(declared) == {f.name for f in dataclasses.fields(Typography)} | set(OLD_LISTS)
    for key, spec in declared.items():
        if key == "headings" or key in OLD_LISTS:
            continue
        value = 7 if spec["type"] in ("number", "integer") else "甲乙"
        t, problems = _typography_of(tmp_path, {key: value})
        assert getattr(t, key) == value and not problems.items, f"{key} is declared but not read"


def test_every_heading_record_option_reaches_each_level_and_every_field_is_declared(tmp_path):
    record = heading_schema()["properties"]
    assert set(record) == {f.name for f in dataclasses.fields(HeadingStyle)} == set(OLD_LISTS.values())
    assert set(typography_schema()["properties"]["headings"]["properties"]) == {"1", "2", "3", "4"}
    for key, spec in record.items():
        for level in (1, 4):
            default = getattr(Typography().heading(level), key)
            value = {"string": "甲乙", "number": 7, "boolean": not default}[spec["type"]]
            t, problems = _typography_of(tmp_path, {"headings": {level: {key: value}}})
            assert getattr(t.heading(level), key) == value, f"heading option {key} is declared but not read"
            assert not problems.items
        # the old list of the same option reaches the same field of every level, with a warning
        old = next(k for k, name in OLD_LISTS.items() if name == key)
        t, problems = _typography_of(tmp_path, {old: [value]})
        assert all(getattr(t.heading(n), key) == value for n in range(1, 5)) and len(problems.warnings) == 1


def test_value_formats_are_an_enum_not_strings():
    """An indicator's format is a ValueFormat member, and no module compares a format with a string."""
    import re
    from reportgen.packs.find import find_pack
    from reportgen.packs.load import load_pack
    from reportgen.value_kinds import ValueFormat
    pack = load_pack(find_pack("annual-2024"))
    assert all(isinstance(d.format, ValueFormat) for d in pack.indicators.values())
    assert {d.format for d in pack.indicators.values()} >= {ValueFormat.RATIO, ValueFormat.DECIMAL2}
    declared = declared_options()["指标（indicators.yaml 的每一项）"]["format"]["enum"]
    assert declared == [f.value for f in ValueFormat]
    compared = re.compile(r"""format\s*(?:==|!=|in|not in)\s*\(?["'](?:ratio|percent|integer|decimal1|decimal2|text)["']""")
    offenders = [p.name for p in (ROOT / "reportgen").rglob("*.py") if compared.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_names_pack_check_knows_are_what_a_school_template_sees():
    """`pack check` warns of a name no template can see; its list (packs/lint.py) and the renderer's context
    (render/report.py) must name the same things, or a pack author is told of a typo that is none, or not told."""
    from reportgen.packs.lint import CONTEXT_NAMES, JINJA_NAMES
    from reportgen.pipeline import prepare
    from reportgen.render.report import _Renderer
    demo = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"
    p = prepare(demo)
    renderer = _Renderer(p.dataset, p.indicators, p.aggregates, Problems())
    seen = set(renderer.context(p.dataset.pack.chapters[0]))
    assert seen == CONTEXT_NAMES - JINJA_NAMES
