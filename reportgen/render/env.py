"""The sandboxed Jinja environment every pack and project template runs in.

Templates are untrusted (a pack may come from another school): ImmutableSandboxedEnvironment
refuses `_`-prefixed attributes and mutating methods, StrictUndefined turns typos into
located errors, and the loader only serves files inside the pack or the project folder.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from jinja2 import BaseLoader, StrictUndefined, TemplateError, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Location, Problem, TemplateProblem, os_reason
from ..load.text import clean_text
from ..load.yaml_source import check_regular_file
from .sandbox import BoundedSandbox

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024      # a long chapter is ~200 KB


class RootsLoader(BaseLoader):
    """Templates named "pack:chapters/x.md.j2" or "project:narrative/a/b.md"; nothing outside a root."""

    def __init__(self, roots: dict[str, Path | list[Path]], sources: dict[str, str] | None = None):
        # a prefix may have several roots, searched in order: an extending pack, then its parents
        self.chains = {k: [r.resolve() for r in (v if isinstance(v, (list, tuple)) else [v])] for k, v in roots.items()}
        self.roots = {k: v[0] for k, v in self.chains.items() if v}
        self.display: dict[str, str] = {}     # real filename -> name shown to users
        self.sources = sources or {}          # "project:narrative/a/b.docx" -> its Markdown (read at load)
        self.warnings: list[Problem] = []      # what reading cleaned up (control characters)

    def get_source(self, environment, template):
        prefix, _, rel = template.partition(":")
        if template in self.sources:
            self.display[template] = rel
            return self.sources[template], template, lambda: True
        chain = self.chains.get(prefix)
        if not chain or not rel:
            raise TemplateNotFound(template)
        outside = link = False
        for root in chain:
            path = (root / rel).resolve()
            if not path.is_relative_to(root):
                outside = True
                # a link inside the root that points out is located at itself; "../x" at the include
                link = link or (os.path.lexists(root / rel) and
                                Path(os.path.normpath(root / rel)).is_relative_to(root))
                continue
            if os.path.lexists(path):
                break
        else:
            if outside:
                raise TemplateProblem(f"“{rel}”指向项目或模板包文件夹之外（符号链接或“..”），出于安全原因不读取",
                                      Location(self.label(prefix, rel)) if link else None)
            raise TemplateNotFound(template)
        where = self.label(prefix, rel, root)
        try:
            check_regular_file(path, where, MAX_TEMPLATE_BYTES, TemplateProblem)
            source = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateProblem("文件不是 UTF-8 编码，请用记事本或 WPS 以“UTF-8”另存后再试",
                                  Location(where)) from None
        except OSError as e:
            raise TemplateProblem(f"无法读取文件：{os_reason(e)}", Location(where)) from None
        cleaned = clean_text(source)                 # pasted from Word: see load/text.py
        for line in cleaned.lines[:5]:
            self.warnings.append(Problem(cleaned.warning(), Location(where, line), "warning"))
        self.display[str(path)] = where
        mtime = path.stat().st_mtime
        return cleaned.text, str(path), lambda: path.stat().st_mtime == mtime

    def label(self, prefix: str, rel: str, root: Path | None = None) -> str:
        root = root or self.roots[prefix]
        return f"{root.name}/{rel}" if prefix == "pack" else rel


def make_env(roots: dict[str, Path | list[Path]], sources: dict[str, str] | None = None) -> ImmutableSandboxedEnvironment:
    env = BoundedSandbox(      # bounded loops, output and string sizes: render/sandbox.py
        loader=RootsLoader(roots, sources),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    return env


def render_title(title: str, context: dict) -> str:
    """A table's or chart's title as printed ("{{ year }}年…" → "2024年…"); a title that needs more than the
    context is shown without its template parts rather than failing a message or a sheet name."""
    if "{" not in title:
        return title
    try:
        return make_env({}).from_string(title).render(**context)
    except TemplateError:
        return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", title)
