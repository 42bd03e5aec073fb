"""Opening a .docx safely: what Word and WPS users actually send is checked before any XML is parsed.

- an old binary .doc/.wps, or an encrypted .docx (both are OLE compound files, D0 CF 11 E0);
- something that is not a zip at all (a renamed .pdf/.txt), or a zip without word/document.xml;
- a zip bomb: the members' declared sizes are summed before anything is read, and zipfile
  never inflates past a member's declared size;
- XML with a DOCTYPE or entity declarations (billion laughs, external entities): refused;
  Office never writes either.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument

from ...errors import Location, WordFileError, os_reason
from ..yaml_source import check_regular_file

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED_BYTES = 300 * 1024 * 1024      # all members together, as declared in the zip directory
MAX_RATIO = 200                              # a member inflating more than this is not a document
MAX_MEMBERS = 5000                           # a report chapter with its photos has dozens of parts
MAX_FILE_BYTES = 200 * 1024 * 1024
SAVE_AS_DOCX = "请在 Word/WPS 中“另存为” Word 文档（.docx）后再试"


def open_docx(path: Path, label: str) -> DocxDocument:
    loc = Location(label)
    try:
        check_regular_file(path, label, MAX_FILE_BYTES, WordFileError)    # a folder, a pipe, a huge file
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as e:
        raise WordFileError(f"无法读取文件：{os_reason(e)}", loc) from None
    if head == OLE_SIGNATURE:
        raise WordFileError("这是旧版 .doc/.wps 格式，或设置了打开密码的文件；"
                            f"{SAVE_AS_DOCX}（如有密码，请先取消密码）", loc)
    if not zipfile.is_zipfile(path):
        raise WordFileError(f"不是 Word 文档（.docx），无法读取；{SAVE_AS_DOCX}", loc)
    try:
        with zipfile.ZipFile(path) as z:
            _check_members(z, loc)
    except zipfile.BadZipFile:
        raise WordFileError("文件已损坏，无法读取；请重新保存或重新获取该文件", loc) from None
    try:
        return docx.Document(str(path))
    except Exception as e:      # python-docx and lxml raise many kinds on a damaged package
        raise WordFileError(f"文件已损坏，无法读取（{type(e).__name__}）；请在 Word/WPS 中打开后重新保存", loc) from None


def _check_members(z: zipfile.ZipFile, loc: Location) -> None:
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        raise WordFileError(f"文件内部的部件数异常（{len(infos)} 个），疑似损坏或恶意构造的文件，已拒绝读取", loc)
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise WordFileError(f"不是 Word 文档（.docx）：文件中没有正文部分；{SAVE_AS_DOCX}", loc)
    if "EncryptionInfo" in names or "EncryptedPackage" in names:
        raise WordFileError("文件设置了打开密码；请先在 Word/WPS 中取消密码并另存为 .docx", loc)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES or any(
            i.file_size > 10 * 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos):
        raise WordFileError("文件解压后异常庞大（疑似“压缩炸弹”），已拒绝读取；请在 Word/WPS 中打开后重新保存", loc)
    for i in infos:
        if i.filename.endswith((".xml", ".rels")):
            data = z.read(i)
            if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
                raise WordFileError("文件中含有不安全的 XML 实体定义（Word/WPS 不会生成这种内容），已拒绝读取；"
                                    "请在 Word/WPS 中打开后重新保存", loc)
