"""What the workbook looks like: sheet names, header texts, the hidden bookkeeping sheet. No openpyxl here."""
from __future__ import annotations

import re
import unicodedata

from ..load.project import TOTAL_WORDS  # noqa: F401 - a 合计 row reads the same in a workbook
from ..pack import ColumnDef, IndicatorDef, Pack, TableDef
from ..value_kinds import ColumnType
from ..render.env import render_title

README_SHEET = "说明"
INDICATOR_SHEET = "指标"
META_SHEET = "_reportgen"          # hidden: table id ↔ sheet, fingerprints of the YAML at export time
META_FORMAT = "1"
MAX_SHEET_NAME = 31                # Excel's limit
SERIAL_HEADERS = {"序号", "编号", "No", "No.", "NO", "NO."}
SUBTOTAL_WORDS = {"小计"}
INDICATOR_HEADERS = ("指标", "单位")   # the 指标 sheet's first columns as exported; year columns follow
INDICATOR_NAME_HEADERS = {INDICATOR_HEADERS[0], "指标名称", "项目"}     # … and as a school may have renamed them
UNIT_HEADERS = {INDICATOR_HEADERS[1], "计量单位"}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")
_TITLE_SUFFIX = re.compile(r"(情况一览表|一览表|统计表|情况表|汇总表|情况)$")
_YEAR_PREFIX = re.compile(r"^\s*\d{4}\s*年度?\s*")
_UNIT_TAIL = re.compile(r"[（(][^（）()]*[）)]$")
TYPE_TEXT = {ColumnType.TEXT: "文本", ColumnType.INTEGER: "整数", ColumnType.DECIMAL: "数字（可含小数）",
             ColumnType.DATE: "年月，如 2024.05 或 2024年5月", ColumnType.ENUM: "从下拉列表中选择"}


def table_sheet_names(pack: Pack, context: dict) -> dict[str, str]:
    """table id -> sheet name, like "表5 创新创业大赛获奖": ≤31 characters, none of []:*?/\\', unique."""
    names: dict[str, str] = {}
    used = {README_SHEET.casefold(), INDICATOR_SHEET.casefold(), META_SHEET.casefold()}
    for n, tdef in enumerate(pack.tables.values(), start=1):
        base = _BAD_SHEET_CHARS.sub("", f"表{n} {short_title(tdef, context)}")[:MAX_SHEET_NAME].strip()
        name, k = base, 2
        while name.casefold() in used:
            suffix = f"（{k}）"
            name, k = base[:MAX_SHEET_NAME - len(suffix)] + suffix, k + 1
        used.add(name.casefold())
        names[tdef.id] = name
    return names


def short_title(tdef: TableDef, context: dict) -> str:
    """The table title without a leading year and a trailing "情况一览表": what a sheet tab can hold."""
    title = _YEAR_PREFIX.sub("", render_title(tdef.title, context)).strip()
    return _TITLE_SUFFIX.sub("", title).strip() or title


def header_key(text) -> str:
    """Compare header texts leniently: width, spaces, a trailing unit "（人）" and required marks don't matter."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s).strip("*")
    s = _UNIT_TAIL.sub("", s) or s
    return s.strip("*").casefold()


def sheet_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)).casefold()


def fill_unit(d: IndicatorDef) -> str:
    """The unit the school fills an indicator in (a pack may convert, e.g. from 亩 to m²)."""
    return str((d.convert or {}).get("from") or d.unit)


def column_note(col: ColumnDef) -> str:
    """The comment on a header cell: definition, unit, whether required, help."""
    lines = [col.name, f"类型：{TYPE_TEXT[col.type]}"]
    if col.unit:
        lines.append(f"单位：{col.unit}（只填数字，不写单位）")
    lines.append("必填" if col.required else "选填")
    if col.choices:
        lines.append("可选值：" + "、".join(col.choices))
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"不小于 {_num(col.min)}"
        hi = "" if col.max is None else f"不大于 {_num(col.max)}"
        lines.append("范围：" + "，".join(x for x in (lo, hi) if x))
    if col.decimals is not None:
        lines.append(f"保留 {col.decimals} 位小数")
    if col.total:
        lines.append("报告中表尾“合计”对此列求和（工具自动计算，不要填写合计行）")
    if col.numeric:
        lines.append("“-”表示未填报，不同于 0")
    if col.help:
        lines.append(f"说明：{col.help}")
    return "\n".join(lines)


def _num(v) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
