"""`reportgen init`: a new school project whose files explain every field, from the pack's definitions."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import Location, UsageError
from .pack import TableDef
from .value_kinds import ColumnType
from .packs.find import find_pack
from .packs.load import load_pack

REPORT_YEAR = 2024        # the year a new project's report.yaml starts with
TYPE_TEXT = {ColumnType.TEXT: "文本", ColumnType.INTEGER: "整数", ColumnType.DECIMAL: "数字（可含小数）",
             ColumnType.DATE: "年月，如 \"2024.05\"", ColumnType.ENUM: "从可选值中选择"}


def scaffold(directory: Path, pack_name: str) -> list[Path]:
    if (directory / "report.yaml").exists():
        raise UsageError("已经是一个项目（report.yaml 已存在），不会覆盖", Location(str(directory / "report.yaml")))
    pack = load_pack(find_pack(pack_name))
    from .packs.project_files import adapt_report
    from .packs.project_files import default_assignment_text
    report = adapt_report(_report(pack_name, pack), pack) + default_assignment_text(pack)   # school fields, level; departments
    files: dict[Path, str] = {Path("report.yaml"): report,
                              Path("data/indicators.yaml"): _indicators(pack)}
    for t in pack.tables.values():
        files[Path("data/tables") / f"{t.id}.yaml"] = _table(t)
    for ch in pack.chapters:
        for n, s in enumerate(ch.sections, start=1):
            files[Path("narrative") / ch.id / f"{n:02d}-{s.id}.md"] = _section(s)
    created = []
    for rel, text in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            created.append(path)
    (directory / "images").mkdir(exist_ok=True)
    return created


def _report(pack_name: str, pack) -> str:
    """report.yaml in the pack's words: what the report is about (学校, 企业 …), its levels, its name."""
    kind = pack.subject.kind or "单位"
    levels = " / ".join(aliases[0] if aliases else key for key, aliases in pack.levels.items())
    return f"""# 报告设置
pack: {pack_name}            # 模板包名称（reportgen 内置或项目内的文件夹）
school:
  name: 【{kind}全称】          # {kind}全称，出现在封面和页眉
year: {REPORT_YEAR}                   # 数据年度：指标“本年”列和各表标题中的年份
# edition: {REPORT_YEAR + 1}              # 报告年度（封面所印，如“（2025年度）”）；不写时与 year 相同
level: -                     # 办学层次，出现在封面标题中{f"（{levels}）" if levels else ""}
date: 2024年12月             # 封面日期
# output: {pack.subject.titled(kind, 2024)}.docx   # 输出文件名（默认放在 build/ 文件夹下）
"""


def _indicators(pack) -> str:
    years = _years(pack)
    shape = ", ".join(f"{y}: 数值" for y in years)
    lines = [f"# 原始指标（按年度填写）。格式：指标名称: {{{shape}}}",
             "# 填写时删去行首的“# ”；\"-\" 表示未填报（与 0 不同）；不知道的年份可以不写。",
             f"# 附表列出 {len(years)} 个年度（{'、'.join(map(str, years))}）。计算类指标（比率、生均值等）由工具计算，无需填写。",
             ""]
    for d in pack.indicators.values():
        if d.kind != "raw":
            continue
        unit = f"单位：{d.unit}" if d.unit else "无单位"
        note = f"；{d.help}" if d.help else ""
        parent = f"；是“{d.parent}”的其中项" if d.parent else ""
        lines.append(f"# {d.name}（{unit}{parent}{note}）")
        lines.append(f"# {d.name}: {{{', '.join(f'{y}: ' for y in years)}}}")
    # no closing {}: a line uncommented below it would make the file two documents
    return "\n".join(lines) + "\n"


def _years(pack) -> list[int]:
    """The years the appendix prints: the report year and the years before it."""
    count = max((a.years for a in pack.appendix), default=3)
    return list(range(REPORT_YEAR - count + 1, REPORT_YEAR + 1))


def plain_title(title: str, year: int | None = None, school: str = "") -> str:
    """A pack title as people read it, without template code: "{{ year }} 年社会培训情况一览表" is
    "2024 年社会培训情况一览表" for a known year, else "本年度社会培训情况一览表"; {{ school.name }} the school."""
    if year:
        title = re.sub(r"\{\{\s*year\s*\+\s*1\s*\}\}", str(year + 1), title)
        title = re.sub(r"\{\{\s*year\s*\}\}", str(year), title)
    title = re.sub(r"\{\{\s*year\s*\+\s*1\s*\}\}\s*年度?", "下一年度", title)
    title = re.sub(r"\{\{\s*year\s*\}\}\s*年度?", "本年度", title)
    title = re.sub(r"\{\{\s*school\.name\s*\}\}", school or "本校", title)
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", title).strip()


def _table(t: TableDef) -> str:
    lines = [f"# {plain_title(t.title)}", "# 每行一条记录，以“- ”开头；序号与合计由工具自动生成，不需要填写。", "# 列："]
    for c in t.columns:
        parts = [TYPE_TEXT[c.type]]
        if c.required:
            parts.append("必填")
        if c.unit:
            parts.append(f"单位：{c.unit}")
        if c.choices:
            parts.append("可选值：" + "、".join(c.choices))
        if c.total:
            parts.append("表尾自动合计")
        if c.merge:
            parts.append("相邻相同取值自动合并单元格")
        if c.help:
            parts.append(c.help)
        lines.append(f"#   {c.name}：{'；'.join(parts)}")
    lines.append("# 示例（填写时删去行首的“# ”，每条记录复制一份）：")
    lines.append("# - " + "\n#   ".join(f"{c.name}: {_example(c)}" for c in t.columns))
    return "\n".join(lines) + "\n"


def _example(c) -> str:
    if c.choices:
        return c.choices[0]
    return {ColumnType.INTEGER: "10", ColumnType.DECIMAL: "12.5", ColumnType.DATE: '"2024.05"'}.get(c.type, f"（{c.name}）")


def _section(s) -> str:
    title = f"## {s.title}\n\n" if s.title else ""
    hint = f"<!-- 提示：{s.hint}。正文写在这里，删除本提示。 -->\n" if s.hint else "<!-- 正文写在这里。 -->\n"
    return title + hint
