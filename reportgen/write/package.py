"""The .docx package around the content: core properties and byte-reproducible zipping."""
from __future__ import annotations

import zipfile
from datetime import datetime, timezone
from io import BytesIO

FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)       # the earliest date a zip entry can carry
CONTENT_TYPES = "[Content_Types].xml"

# Parts of python-docx's default template that would misrepresent the report: a
# preview image of the template's page, and a Word 2010 copy of styles.xml still
# carrying theme fonts.
_DROPPED_RELTYPES = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)

_TEXT_PROPERTIES = {          # doc.properties key -> python-docx CoreProperties attribute
    "title": "title", "subject": "subject", "author": "author", "keywords": "keywords",
    "comments": "comments", "description": "comments", "category": "category",
}


def drop_template_leftovers(document) -> None:
    """Unlink parts we don't want saved (python-docx saves only what is reachable)."""
    for rels in (document.part.package.rels, document.part.rels):
        for rId in [rId for rId, rel in rels.items() if rel.reltype in _DROPPED_RELTYPES]:
            del rels[rId]


MAX_PROPERTY_CHARS = 255          # the OOXML limit for a core property (a school name can be longer)


def set_core_properties(core, properties: dict[str, str]) -> None:
    """Overwrite every field the default template fills ("python-docx", 2013 dates)."""
    for attr in ("title", "subject", "author", "keywords", "comments", "category", "last_modified_by"):
        setattr(core, attr, "")
    for key, attr in _TEXT_PROPERTIES.items():
        if key in properties:
            setattr(core, attr, properties[key][:MAX_PROPERTY_CHARS])
    core.revision = 1
    core.created = _date(properties, "created")
    core.modified = _date(properties, "modified")


def _date(properties: dict[str, str], key: str) -> datetime:
    raw = properties.get(key)
    if not raw:
        return FIXED_DATE
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"document property {key!r}: {raw!r} is not an ISO date") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    # python-docx formats with a literal "Z", so hand it UTC
    return value.astimezone(timezone.utc)


# Photos and charts are compressed already: deflating them again costs time and saves ~1%.
_STORED_SUFFIXES = (".jpeg", ".jpg", ".png", ".gif")


def reproducible_zip(raw) -> bytes:
    """Re-zip a saved package (bytes or a binary file object) with fixed timestamps,
    attributes and entry order.

    python-docx stamps every entry with the current time, so two saves of the same
    document differ; after this they are byte-identical.
    """
    out = BytesIO()
    source = BytesIO(raw) if isinstance(raw, (bytes, bytearray)) else raw
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        names = src.namelist()
        # [Content_Types].xml first: some readers sniff the package from the first entry
        ordered = [CONTENT_TYPES] + sorted(n for n in names if n != CONTENT_TYPES)
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            stored = name.startswith("word/media/") and name.lower().endswith(_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            dst.writestr(info, src.read(name))
    return out.getvalue()
