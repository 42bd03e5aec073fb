"""Property: any table data → workbook → read back gives the same typed values, and the merge sees no change."""
import dataclasses
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.check.data import check_project
from reportgen.dataset import RawCell, RawIndicators, RawRow, RawTable
from reportgen.errors import Location, Problems
from reportgen.pipeline import load_raw
from reportgen.workbook.export import build_workbook
from reportgen.workbook.fingerprint import table_canon
from reportgen.workbook.importer import read_workbook
from reportgen.workbook.layout import SUBTOTAL_WORDS, TOTAL_WORDS
from reportgen.workbook.merge import apply_workbook, workbook_context
from reportgen.workbook.read_tables import NOTE_PREFIXES

DEMO = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"
BASE = load_raw(DEMO, Problems())
TABLES = ["certificates", "teaching_awards", "coop_textbooks", "tech_transfer", "majors_emerging"]
INDICATORS = ["毕业生人数", "月收入", "母校满意度", "教学科研仪器设备总值"]


def ordinary(text: str) -> bool:
    """Texts a workbook row cannot hold as data: they read as a 合计 / 小计 or a note row (documented limits)."""
    squeezed = "".join(unicodedata.normalize("NFKC", text).split()).strip(":：")
    return squeezed not in TOTAL_WORDS | SUBTOTAL_WORDS and not text.strip().startswith(NOTE_PREFIXES)


TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), max_size=24),
    st.sampled_from(["=1+1", "-", "0123", "  前后有空格  ", "'引号", "1,234", "第一行\n第二行", "978-7-111-23456-7"]),
).filter(ordinary)


def cell_for(col):
    if col.type == "integer":
        return st.one_of(st.integers(-10 ** 12, 10 ** 12).map(lambda v: (v, str(v))),
                         st.sampled_from([("-", "-"), ("1,234", "1,234"), ("12人", "12人"), ("十二", "十二")]))
    if col.type == "decimal":
        return st.one_of(
            st.decimals(-10 ** 9, 10 ** 9, places=2, allow_nan=False, allow_infinity=False)
            .map(lambda d: (float(d), str(d))),
            st.sampled_from([("-", "-"), ("96.50", "96.50")]).map(lambda p: (p[0], p[1])))
    if col.type == "date":
        ym = st.tuples(st.integers(1990, 2040), st.integers(1, 12))
        return st.one_of(ym.map(lambda t: (f"{t[0]}.{t[1]:02d}",) * 2),
                         ym.map(lambda t: (f"{t[0]}年{t[1]}月",) * 2),
                         st.integers(1990, 2040).map(lambda y: (y, str(y))))
    if col.type == "enum":
        return st.one_of(st.sampled_from(col.choices), TEXT).map(lambda v: (v, v))
    return TEXT.map(lambda v: (v, v))


@st.composite
def tables(draw):
    out = {}
    for tid in draw(st.lists(st.sampled_from(TABLES), min_size=1, max_size=3, unique=True)):
        tdef = BASE.pack.tables[tid]
        rows = []
        for i in range(draw(st.integers(0, 6))):
            cells = {}
            for col in tdef.columns:
                if draw(st.booleans()) or col.required:
                    raw, text = draw(cell_for(col))
                    loc = Location(f"data/tables/{tid}.yaml", 10 + i)
                    cells[col.name] = RawCell(raw, loc, text)
            rows.append(RawRow(cells, Location(f"data/tables/{tid}.yaml", 10 + i)))
        out[tid] = RawTable(tid, rows, Location(f"data/tables/{tid}.yaml"))
    return out


@st.composite
def indicators(draw):
    out = RawIndicators()
    value = st.one_of(st.integers(0, 10 ** 9).map(lambda v: (v, str(v))),
                      st.decimals(0, 10 ** 6, places=2, allow_nan=False).map(lambda d: (float(d), str(d))),
                      st.just(("-", "-")))
    for name in draw(st.lists(st.sampled_from(INDICATORS), unique=True)):
        years = draw(st.lists(st.sampled_from([2022, 2023, 2024]), unique=True))
        cells = {}
        for y in years:
            raw, text = draw(value)
            cells[y] = RawCell(raw, Location("data/indicators.yaml", 5), text)
        out.cells[name] = cells
        out.name_locs[name] = Location("data/indicators.yaml", 5)
    return out


def typed(project):
    ds = check_project(project, Problems())
    return ({tid: t.rows for tid, t in ds.tables.items()}, ds.indicators)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), indicators())
def test_round_trip(data, inds):
    project = dataclasses.replace(BASE, tables=data, indicators=inds)
    wb, _ = build_workbook(project)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "W.xlsx"
        wb.save(path)
        problems = Problems()
        back = read_workbook(path, BASE.pack, problems, workbook_context(BASE.config))
        assert back is not None and problems.errors == [], [str(p) for p in problems.items]
        for tid, table in data.items():
            tdef = BASE.pack.tables[tid]
            assert table_canon(back.tables[tid], tdef) == table_canon(table, tdef)
        reread = dataclasses.replace(BASE, tables=back.tables, indicators=back.indicators)
        assert typed(reread) == typed(project)

        merge_problems = Problems()
        merged = apply_workbook(project, path, merge_problems)
        assert merge_problems.errors == []
        assert typed(merged) == typed(project)
