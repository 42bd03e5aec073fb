"""The hidden marker every kit file carries, so a return is recognised whatever it was renamed to.

.docx: custom document properties (docProps/custom.xml: Word, WPS and LibreOffice keep them through a save);
.xlsx: info rows in the workbook's hidden `_reportgen` sheet (workbook/export.py writes them, WPS keeps it).
Properties are short strings (Word limits a custom property to 255 characters), one per section.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

PREFIX = "reportgen."
CUSTOM_PART = "docProps/custom.xml"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_NS = {"cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
       "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}
MAX_PART_BYTES = 1 << 20


@dataclass
class Marker:
    department: str
    project: str                  # "school year": a kit of another project is refused
    kit: str                      # kit version: when it was made
    kind: str                     # sections | workbook | readme
    sections: dict[str, str] = field(default_factory=dict)    # section key -> signature of its text as sent

    def properties(self) -> dict[str, str]:
        props = {"department": self.department, "project": self.project, "kit": self.kit, "kind": self.kind}
        for i, (key, sig) in enumerate(self.sections.items(), start=1):
            props[f"section.{i:02d}"] = f"{key} {sig}"
        return props

    def info_rows(self) -> tuple[tuple[str, str], ...]:
        """The workbook form: ("info", "reportgen.department", "教务处") rows."""
        return tuple((PREFIX + k, v) for k, v in self.properties().items())

    @classmethod
    def from_properties(cls, props: dict[str, str]) -> "Marker | None":
        get = lambda k: props.get(PREFIX + k)  # noqa: E731
        if not get("department") or not get("kind"):
            return None
        sections = {}
        for k in sorted(k for k in props if k.startswith(PREFIX + "section.")):
            key, _, sig = props[k].partition(" ")
            sections[key] = sig
        return cls(get("department"), get("project") or "", get("kit") or "", get("kind"), sections)


def add_to_docx(document, marker: Marker) -> None:
    """Give a python-docx Document the marker as custom properties (before it is saved)."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(PREFIX + k, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(v)}</vt:lpwstr></property>"
        for pid, (k, v) in enumerate(marker.properties().items(), start=2))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="{_NS["cp"]}" '
           f'xmlns:vt="{_NS["vt"]}">{items}</Properties>').encode("utf-8")
    package = document.part.package
    part = Part(PackURI("/" + CUSTOM_PART), CONTENT_TYPE.OFC_CUSTOM_PROPERTIES, xml, package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)


def read_docx(path: Path) -> Marker | None:
    """The marker of a .docx, None when it has none (or is not a readable zip)."""
    from defusedxml import ElementTree
    try:
        with zipfile.ZipFile(path) as z:
            try:
                info = z.getinfo(CUSTOM_PART)
            except KeyError:
                return None
            if info.file_size > MAX_PART_BYTES:
                return None
            root = ElementTree.fromstring(z.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError):
        return None
    except Exception:          # defusedxml refuses entity declarations: not our marker
        return None
    props = {}
    for prop in root.findall("cp:property", _NS):
        value = next((child.text or "" for child in prop), "")
        props[prop.get("name", "")] = value
    return Marker.from_properties(props)
