"""A reviewer's edits to a built draft, made with python-docx and the raw XML Word writes for 修订 (w:ins,
w:del) — what `reportgen absorb` must take back. Each edit is found by its text, so the same edits fit
any build of the demo."""
from __future__ import annotations

import copy
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

REWORD = ("学校党委坚持社会主义办学方向", "努力培养德智体美劳全面发展的高素质技术技能人才", "着力培养德智体美劳全面发展的高素质技术技能人才")
DELETE_SENTENCE = ("课程思政建设全面铺开。", "学校出台课程思政建设质量标准，要求每门专业课程至少梳理 3 个思政融入点，并纳入课程标准和教案评价。")
ADD_AFTER = "育人合力进一步凝聚。"
ADDED = "学校还建立了育人成效年度评估制度，每年发布三全育人工作报告，推动各项举措落地见效。"
HEADING = ("1.筑牢基层组织战斗堡垒", "1.夯实基层组织战斗堡垒")
CASE_TITLE = ("领航育人", "引领育人")
CASE_TEXT = ("智能制造学院将教工党支部设在智能制造装备专业群上", "全年认领攻坚项目 15 项。", "全年认领攻坚项目 15 项，形成一批可推广的经验。")
DATA_NUMBER = ("学生对思政课教学满意度达 ", "97.62%", "98.10%")
CELL = ("工业机器人操作与运维职业技能等级证书（中级）", "120", "125")
COMMENT = ("心理育人和网络育人协同发力。", "请补充心理健康教育中心的建成时间", "质量办 王老师")
TRACKED_INS = ("专业数字化改造提速增效。", "（经学校党委会审议通过）", "分管校长")
TRACKED_DEL = ("专业结构动态优化。", "一是健全专业调整机制。", "分管校长")


def find(doc, start: str):
    """The first body paragraph starting with `start` (not its line in the 目录)."""
    for p in _paragraphs(doc):
        if p.text.strip().startswith(start) and not p.style.name.lower().startswith("toc"):
            return p
    raise AssertionError(f"no paragraph starts with {start!r}")


def _paragraphs(doc):
    body = doc.element.body
    for p in body.iter(qn("w:p")):
        yield docx.text.paragraph.Paragraph(p, doc)


def replace_in(paragraph, old: str, new: str) -> None:
    """Replace text inside one run (the writer writes a paragraph's plain text as one run)."""
    for run in paragraph.runs:
        if old in run.text:
            run.text = run.text.replace(old, new)
            return
    raise AssertionError(f"{old!r} not in one run of {paragraph.text[:30]!r}")


def edit_like_a_reviewer(src: Path, dst: Path) -> None:
    doc = docx.Document(str(src))
    replace_in(find(doc, REWORD[0]), REWORD[1], REWORD[2])
    replace_in(find(doc, DELETE_SENTENCE[0]), DELETE_SENTENCE[1], "")
    anchor = find(doc, ADD_AFTER)
    new = copy.deepcopy(anchor._p)
    anchor._p.addnext(new)
    para = docx.text.paragraph.Paragraph(new, anchor._parent)
    for r in para.runs[1:]:
        r._r.getparent().remove(r._r)
    para.runs[0].text = ADDED
    para.runs[0].bold = False
    replace_in(find(doc, HEADING[0]), HEADING[0], HEADING[1])
    replace_in(find(doc, "案例 1："), CASE_TITLE[0], CASE_TITLE[1])
    replace_in(find(doc, CASE_TEXT[0]), CASE_TEXT[1], CASE_TEXT[2])
    replace_in(find(doc, "思政课主渠道作用充分发挥。"), DATA_NUMBER[0] + DATA_NUMBER[1], DATA_NUMBER[0] + DATA_NUMBER[2])
    set_cell(doc, CELL[0], CELL[1], CELL[2])
    target = find(doc, COMMENT[0])
    doc.add_comment(target.runs[0], text=COMMENT[1], author=COMMENT[2], initials="WL")
    tracked_insert(find(doc, TRACKED_INS[0]), TRACKED_INS[1], TRACKED_INS[2])
    tracked_delete(find(doc, TRACKED_DEL[0]), TRACKED_DEL[1], TRACKED_DEL[2])
    doc.save(str(dst))


def set_cell(doc, row_text: str, old: str, new: str) -> None:
    for table in doc.element.body.iter(qn("w:tbl")):
        for tr in table.iter(qn("w:tr")):
            texts = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
            if row_text in texts and old in texts:
                tc = list(tr.iter(qn("w:tc")))[texts.index(old)]
                next(tc.iter(qn("w:t"))).text = new
                return
    raise AssertionError(f"no row with {row_text!r} and {old!r}")


def _w(tag: str, **attrs):
    el = etree.Element(qn(f"w:{tag}"))
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def tracked_insert(paragraph, text: str, author: str) -> None:
    """A pending insertion after the paragraph's first run (its bold lead), as Word writes it."""
    ins = _w("ins", id="901", author=author, date="2024-12-10T09:00:00Z")
    r = _w("r")
    t = _w("t")
    t.text = text
    r.append(t)
    ins.append(r)
    paragraph.runs[0]._r.addnext(ins)


def tracked_delete(paragraph, text: str, author: str) -> None:
    """A pending deletion of `text` (inside one run): the run is split and the middle wrapped in w:del."""
    for run in paragraph.runs:
        if text in run.text:
            before, _, after = run.text.partition(text)
            run.text = before
            dele = _w("del", id="902", author=author, date="2024-12-10T09:05:00Z")
            r = copy.deepcopy(run._r)
            for t in r.findall(qn("w:t")):
                r.remove(t)
            dt = _w("delText")
            dt.text = text
            dt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(dt)
            dele.append(r)
            run._r.addnext(dele)
            tail = copy.deepcopy(r)
            tail.remove(tail.find(qn("w:delText")))
            t = _w("t")
            t.text = after
            tail.append(t)
            dele.addnext(tail)
            return
    raise AssertionError(f"{text!r} not in one run")


def edit_every(src: Path, dst: Path, every: int = 5, after: str = "", limit: int = 30) -> int:
    """Rewrite the end of every `every`-th body paragraph (from the one starting with `after`), the way
    a reviewer touches up a long report: a few characters replaced in its last run. Returns how many."""
    doc = docx.Document(str(src))
    n, on = 0, not after
    for i, p in enumerate(_paragraphs(doc)):
        on = on or p.text.strip().startswith(after)
        if not on or p.style.name.lower().startswith("toc") or len(p.text) < 30 or not p.runs or n >= limit:
            continue
        last = p.runs[-1]
        if i % every == 0 and len(last.text) > 8:
            last.text = last.text[:-6] + "（审阅改）" + last.text[-3:]
            n += 1
    doc.save(str(dst))
    return n
