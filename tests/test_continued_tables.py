"""续表 without LibreOffice: splitting a written table at given rows, finding the breaks, reading the parts back.

The layout itself (LibreOffice, the demo's 表1 and 表5 in the PDF) is tested in tests/test_layout.py.
"""
import zipfile
from io import BytesIO
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from lxml import etree

from reportgen.load.word.review import draft_units
from reportgen.pipeline import docx_bytes, prepare
from reportgen.write.continued import page_breaks, previous_splits, split_tables, text_row_pages

DEMO = Path(__file__).resolve().parent.parent / "examples" / "annual-2024-demo"


@pytest.fixture(scope="module")
def plain():
    return docx_bytes(prepare(DEMO))


def _key(units):
    return [(u.kind, u.text, u.no, u.table, u.row) for u in units]


def _body(data: bytes):
    return etree.fromstring(zipfile.ZipFile(BytesIO(data)).read("word/document.xml")).find(qn("w:body"))


def _every_row(parts) -> dict[int, list[int]]:
    """A break before every body row but the first of every table that may be split."""
    return {p.table: list(range(p.header + 1, len(p.rows))) for p in parts if p.label}


def test_split_at_every_row_reads_back_as_the_written_tables(plain):
    """absorb and the Word section reader see the written tables, whatever the layout split."""
    parts = split_tables(plain, {})[1]
    split, new_parts = split_tables(plain, _every_row(parts))
    labelled = [p for p in parts if p.label]
    assert len(labelled) > 10 and any(p.label == "表 4" for p in labelled)
    assert len(new_parts) == len(parts) + sum(len(p.rows) - p.header - 1 for p in labelled)
    assert _key(draft_units(split)) == _key(draft_units(plain))


def test_each_part_has_its_continued_line_header_and_categories(plain):
    parts = split_tables(plain, {})[1]
    split, _ = split_tables(plain, _every_row(parts))
    lines = [p for p in _body(split).iter(qn("w:p"))
             if p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None
             and p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").get(qn("w:val")) == "TableContinued"]
    texts = ["".join(t.text for t in p.iter(qn("w:t"))) for p in lines]
    assert texts.count("续表 1") == len(parts[3].rows) - 2 and texts.count("续表 4") > 0
    document = docx.Document(BytesIO(split))
    assert document.styles["Table Continued"].paragraph_format.keep_with_next
    for line in lines:
        part = line.getnext()
        assert part.tag == qn("w:tbl")
        first, body = part.findall(qn("w:tr"))[:2]
        assert first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        for merge in body.iter(qn("w:vMerge")):          # a category merged across the break starts again
            assert merge.get(qn("w:val")) == "restart"
            assert "".join(t.text for t in merge.getparent().getparent().iter(qn("w:t")))
    # 表4's 部门 column is merged over several rows: a part that starts inside a merge prints it again
    table4 = next(p.getnext() for p in lines if "".join(t.text for t in p.iter(qn("w:t"))) == "续表 4")
    assert any(m.get(qn("w:val")) == "restart" for m in table4.iter(qn("w:vMerge")))


def test_a_break_is_where_a_row_starts_a_later_page(plain):
    parts = split_tables(plain, {})[1]
    t1 = next(p for p in parts if p.label == "表 1")
    pages = [[1] * len(p.rows) for p in parts]
    assert page_breaks(parts, pages) == {}
    row_pages = pages[parts.index(t1)]
    row_pages[20:] = [2] * (len(row_pages) - 20)
    assert page_breaks(parts, pages) == {t1.table: [20]}
    row_pages[1:] = [3] * (len(row_pages) - 1)             # caption and header alone at the foot: not split here
    assert page_breaks(parts, pages) == {}
    assert page_breaks(parts, pages[:-1]) == {}              # another document's tables: nothing split
    unlabelled = next(i for i, p in enumerate(parts) if not p.label and len(p.rows) > 1)
    pages[unlabelled][1:] = [9] * (len(pages[unlabelled]) - 1)
    assert page_breaks(parts, pages) == {}                   # a case box is never split


def test_a_part_that_no_longer_starts_a_page_joins_the_one_before(plain):
    """After the split the 续表 lines move the layout: breaks are counted again over the written rows."""
    parts = split_tables(plain, {})[1]
    t1 = next(p for p in parts if p.label == "表 1")
    _, split = split_tables(plain, {t1.table: [20, 30]})
    pages = [[1] * len(p.rows) for p in split]
    at = next(i for i, p in enumerate(split) if p.table == t1.table)
    assert [p.rows[p.header] for p in split[at + 1:at + 3]] == [20, 30]
    pages[at + 2] = [2] * len(pages[at + 2])                # the part from row 30 on the next page, the rest on 1
    assert page_breaks(split, pages) == {t1.table: [30]}
    pages[at][-1] = 2                                        # row 19 moved over, and rows 20–29 with it
    pages[at + 1] = [2] * len(pages[at + 1])
    assert page_breaks(split, pages) == {t1.table: [19]}


def test_rows_are_found_in_the_pdf_text_in_order(plain):
    parts = split_tables(plain, {})[1]
    t1 = parts.index(next(p for p in parts if p.label == "表 1"))
    # how the PDF text reads: cell by cell, lines broken anywhere
    rows = ["\n".join(text[i:i + 7] for i in range(0, len(text), 7)) for text in parts[t1].texts]
    pages = ["前文\n" + "\n".join(rows[:20]), " ".join(rows[20:]) + "\n正文"]
    found = text_row_pages(parts, pages)
    assert found[t1] == [1] * 20 + [2] * (len(rows) - 20)
    assert page_breaks(parts, found) == {parts[t1].table: [20]}


def test_a_typed_continued_line_joins_only_tables_with_a_header_row(tmp_path):
    """A Word user's own "续表1" between two tables without a repeated header row leaves them two tables."""
    d = docx.Document()
    for n in range(2):
        table = d.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(1, 0).text = "项目", f"第{n}行"
        if n == 0:
            d.add_paragraph("续表1")
    out = BytesIO()
    d.save(out)
    units = draft_units(out.getvalue())
    assert [u.text for u in units if u.kind == "p"] == ["续表1"]
    assert sorted({u.table for u in units if u.kind == "row"}) == [1, 2]
    for table in d.tables:                                  # now marked as header rows, as Word's 重复标题行 does
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    out = BytesIO()
    d.save(out)
    units = draft_units(out.getvalue())
    assert [u.kind for u in units] == ["row"] * 3 and {u.table for u in units} == {1}
    assert [u.text for u in units] == ["项目\t", "第0行\t", "第1行\t"]


def test_an_earlier_drafts_splits_are_the_first_guess(plain, tmp_path):
    parts = split_tables(plain, {})[1]
    t1, t4 = (next(p.table for p in parts if p.label == label) for label in ("表 1", "表 4"))
    breaks = {t1: [20, 41], t4: [9]}
    draft = tmp_path / "初稿.docx"
    draft.write_bytes(split_tables(plain, breaks)[0])
    assert previous_splits(draft) == breaks
    draft.write_bytes(plain)
    assert previous_splits(draft) == {}
    assert previous_splits(tmp_path / "none.docx") == {}
