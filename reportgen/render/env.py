"""The sandboxed Jinja environment every pack and project template runs in.

Templates are untrusted (a pack may come from another school): ImmutableSandboxedEnvironment
refuses `_`-prefixed attributes and mutating methods, StrictUndefined turns typos into
located errors, and the loader only serves files inside the pack or the project folder.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024


class RootsLoader(BaseLoader):
    """Templates named "pack:chapters/x.md.j2" or "project:narrative/a/b.md"; nothing outside a root."""

    def __init__(self, roots: dict[str, Path]):
        self.roots = {k: v.resolve() for k, v in roots.items()}
        self.display: dict[str, str] = {}     # real filename -> name shown to users

    def get_source(self, environment, template):
        prefix, _, rel = template.partition(":")
        root = self.roots.get(prefix)
        if root is None or not rel:
            raise TemplateNotFound(template)
        path = (root / rel).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise TemplateNotFound(template)
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            raise TemplateNotFound(template)
        source = path.read_text(encoding="utf-8-sig")
        self.display[str(path)] = self.label(prefix, rel)
        mtime = path.stat().st_mtime
        return source, str(path), lambda: path.stat().st_mtime == mtime

    def label(self, prefix: str, rel: str) -> str:
        root = self.roots[prefix]
        return f"{root.name}/{rel}" if prefix == "pack" else rel


def make_env(roots: dict[str, Path]) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=RootsLoader(roots),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    return env
