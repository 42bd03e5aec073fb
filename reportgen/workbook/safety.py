"""Open a workbook defensively: every bad file ends in a plain Chinese message, never a hang or a traceback.

Checks run before openpyxl parses anything: the file's size and magic bytes (an encrypted workbook
is an OLE2 compound file, not a zip), the zip's member sizes and compression ratios (a zip bomb
declares them), then each sheet's row count in streaming mode. openpyxl itself parses XML through
defusedxml when it is installed (a declared dependency), which refuses entity expansion attacks.
"""
from __future__ import annotations

import re
import warnings
import zipfile
from pathlib import Path

from ..errors import Location, WorkbookError, os_reason
from ..load.yaml_source import check_regular_file

MAX_FILE_BYTES = 50 * 1024 * 1024          # a fill-in workbook is kilobytes; photos do not belong in it
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024     # a 20000-row sheet is about 25 MB of XML
MAX_MEMBERS = 5000
MAX_RATIO = 100                            # XML compresses 5–20×; a bomb compresses 1000×
RATIO_MIN_BYTES = 10 * 1024 * 1024         # small members may compress as they like
MAX_ROWS = 20000
MAX_COLUMNS = 200

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
HOSTILE_XML = "工作簿含有不安全的 XML 内容（实体定义），疑似恶意构造的文件，已拒绝读取"
SAVE_AS = "请在 Excel 或 WPS 中打开，另存为“Excel 工作簿（*.xlsx）”后再试"


def open_workbook(path: Path, display: str):
    """Return (values, formulas): the workbook loaded with cached values and with formulas."""
    where = Location(display)
    _check_file(path, where)
    _check_zip(path, where)
    import openpyxl
    _check_merged_ranges(path, where)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")        # openpyxl warns in English about unsupported extensions
        _check_sheet_sizes(path, where, openpyxl)
        values = _load(openpyxl, path, where, data_only=True)
        formulas = _load(openpyxl, path, where, data_only=False)
    return values, formulas


def _check_file(path: Path, where: Location) -> None:
    try:
        check_regular_file(path, where.file, 1 << 62, WorkbookError)     # a folder, a pipe …; size below
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise WorkbookError(f"无法读取工作簿：{os_reason(e)}", where) from None
    if size == 0:
        raise WorkbookError("工作簿文件是空的（0 字节），可能没有保存完整", where)
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"工作簿文件过大（{size / 1024 / 1024:.0f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），"
                            "请检查是否放错了文件，或删去其中的图片后再试", where)
    if head == OLE_MAGIC:
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise WorkbookError("工作簿设置了打开密码（已加密），无法读取。请在 Excel 中依次选择“文件 › 信息 › 保护工作簿 › "
                                "用密码进行加密”清空密码（WPS：“文件 › 文档加密 › 密码加密”），保存后再试", where)
        raise WorkbookError("文件是设置了打开密码的加密工作簿，或旧版 Excel 97-2003 格式（.xls），无法读取。"
                            f"如有密码请先取消；{SAVE_AS}", where)


def _check_zip(path: Path, where: Location) -> None:
    if not zipfile.is_zipfile(path):
        raise WorkbookError(f"不是有效的 .xlsx 工作簿：文件已损坏，或是 .csv、.xls、.et 等其他格式。{SAVE_AS}", where)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError(f"工作簿文件已损坏，无法打开。{SAVE_AS}", where) from None
    names = {i.filename for i in infos}
    if "xl/workbook.bin" in names:
        raise WorkbookError(f"这是 Excel 二进制工作簿（.xlsb），无法读取。{SAVE_AS}", where)
    if "xl/workbook.xml" not in names:
        raise WorkbookError(f"文件不是 Excel 工作簿（可能是 Word 文档或其他压缩包）。{SAVE_AS}", where)
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError(f"工作簿内部文件数异常（{len(infos)} 个），疑似损坏或恶意文件，已拒绝读取", where)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise WorkbookError("工作簿内部文件已加密，无法读取；请取消密码后再试", where)
        total += info.file_size
        ratio = info.file_size / info.compress_size if info.compress_size else float("inf")
        if total > MAX_UNCOMPRESSED_BYTES or (info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO):
            raise WorkbookError(
                f"工作簿解压后的数据异常庞大（其中 {info.filename} 解压后 {info.file_size / 1024 / 1024:.0f} MB，"
                f"压缩比超过 {min(ratio, 10 ** 6):.0f}:1），疑似损坏或恶意构造的文件（“压缩炸弹”），已拒绝读取", where)


def _check_sheet_sizes(path: Path, where: Location, openpyxl) -> None:
    """Refuse huge sheets from the declared dimension, then by streaming at most MAX_ROWS + 1 rows."""
    wb = _load(openpyxl, path, where, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            rows, cols = ws.max_row or 0, ws.max_column or 0
            if rows > MAX_ROWS or cols > MAX_COLUMNS:
                raise _too_big(ws.title, rows, cols, where)
            ws.reset_dimensions()          # a lying <dimension> must not cap the count below
            count = 0
            try:
                for row in ws.iter_rows(values_only=True):
                    count += 1
                    if count > MAX_ROWS or len(row) > MAX_COLUMNS:
                        raise _too_big(ws.title, count if count > MAX_ROWS else 0, len(row), where)
            except WorkbookError:
                raise
            except Exception as e:   # noqa: BLE001 - malformed sheet XML: a user's file, not our bug
                if _hostile_xml(e):
                    raise WorkbookError(HOSTILE_XML, where) from None
                raise WorkbookError(f"工作表“{ws.title}”的内容已损坏，无法读取。{SAVE_AS}", where) from None
    finally:
        wb.close()


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')
_SHEET_XML = re.compile(r"xl/worksheets/[^/]+\.xml")
MAX_MERGED_CELLS = 1_000_000


def _check_merged_ranges(path: Path, where: Location) -> None:
    """Refuse merged ranges reaching past the sheet size limits before openpyxl sees them: it creates an
    object for every cell of a merged range, so A1:XFD1048576 alone would take all memory."""
    from openpyxl.utils import column_index_from_string
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if not _SHEET_XML.fullmatch(info.filename):
                continue
            cells = 0
            for m in _scan(z, info, _MERGE):
                c1, r1, c2, r2 = m.group(1).decode(), int(m.group(2)), m.group(3).decode(), int(m.group(4))
                rows, cols = abs(r2 - r1) + 1, abs(column_index_from_string(c2) - column_index_from_string(c1)) + 1
                cells += rows * cols
                if max(r1, r2) > MAX_ROWS or max(column_index_from_string(c1), column_index_from_string(c2)) > MAX_COLUMNS \
                        or cells > MAX_MERGED_CELLS:
                    raise WorkbookError(f"工作表中的合并单元格范围 {c1}{r1}:{c2}{r2} 过大（超过 {MAX_ROWS} 行或 {MAX_COLUMNS} 列），"
                                        "远超填报表格的规模，疑似损坏或恶意构造的文件；请取消这些合并后保存再试", where)


def _scan(z: zipfile.ZipFile, info: zipfile.ZipInfo, pattern: re.Pattern, chunk: int = 1 << 20):
    """Matches of `pattern` in a zip member, read in chunks (a sheet's XML may be tens of MB)."""
    seen_to = 0
    tail = b""
    offset = 0
    with z.open(info) as f:
        while data := f.read(chunk):
            buf = tail + data
            base = offset - len(tail)
            for m in pattern.finditer(buf):
                if base + m.start() >= seen_to:
                    seen_to = base + m.end()
                    yield m
            offset += len(data)
            tail = buf[-512:]


def _too_big(sheet: str, rows: int, cols: int, where: Location) -> WorkbookError:
    if rows > MAX_ROWS:
        what = f"超过 {MAX_ROWS} 行" + (f"（文件标明共 {rows} 行）" if rows > MAX_ROWS + 1 else "")
    else:
        what = f"超过 {MAX_COLUMNS} 列（共 {cols} 列）"
    return WorkbookError(f"工作表“{sheet}”{what}，远多于填报表格应有的规模，已拒绝读取。"
                         "如果其中大多是空行或空列，请删除多余的行列后保存再试", where)


def _load(openpyxl, path: Path, where: Location, **kw):
    try:
        return openpyxl.load_workbook(path, keep_links=False, **kw)
    except Exception as e:   # noqa: BLE001 - openpyxl raises many kinds for malformed files
        if _hostile_xml(e):
            raise WorkbookError(HOSTILE_XML, where) from None
        raise WorkbookError(f"工作簿内容已损坏或格式不受支持，无法读取。{SAVE_AS}", where) from None


def _hostile_xml(e: BaseException | None) -> bool:
    """defusedxml refused the XML (openpyxl wraps its error in a ValueError)."""
    seen = 0
    while e is not None and seen < 10:
        if type(e).__module__.startswith("defusedxml"):
            return True
        e, seen = e.__cause__ or e.__context__, seen + 1
    return False
