"""The sandboxed Jinja environment every pack and project template runs in.

Templates are untrusted (a pack may come from another school): ImmutableSandboxedEnvironment
refuses `_`-prefixed attributes and mutating methods, StrictUndefined turns typos into
located errors, and the loader only serves files inside the pack or the project folder.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import Location, TemplateProblem
from .sandbox import BoundedSandbox

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


class RootsLoader(BaseLoader):
    """Templates named "pack:chapters/x.md.j2" or "project:narrative/a/b.md"; nothing outside a root."""

    def __init__(self, roots: dict[str, Path | list[Path]], sources: dict[str, str] | None = None):
        # a prefix may have several roots, searched in order: an extending pack, then its parents
        self.chains = {k: [r.resolve() for r in (v if isinstance(v, (list, tuple)) else [v])] for k, v in roots.items()}
        self.roots = {k: v[0] for k, v in self.chains.items() if v}
        self.display: dict[str, str] = {}     # real filename -> name shown to users
        self.sources = sources or {}          # "project:narrative/a/b.docx" -> its Markdown (read at load)

    def get_source(self, environment, template):
        prefix, _, rel = template.partition(":")
        if template in self.sources:
            self.display[template] = rel
            return self.sources[template], template, lambda: True
        chain = self.chains.get(prefix)
        if not chain or not rel:
            raise TemplateNotFound(template)
        for root in chain:
            path = (root / rel).resolve()
            if path.is_relative_to(root) and path.is_file():
                break
        else:
            raise TemplateNotFound(template)
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise TemplateNotFound(template)
        try:
            source = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise TemplateProblem("文件不是 UTF-8 编码，请用记事本或 WPS 以“UTF-8”另存后再试",
                                  Location(self.label(prefix, rel))) from None
        self.display[str(path)] = self.label(prefix, rel, root)
        mtime = path.stat().st_mtime
        return source, str(path), lambda: path.stat().st_mtime == mtime

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
