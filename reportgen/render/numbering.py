"""Give headings, tables, figures and cases their final labels (一、（一）1.（1）; 表 N or 表 N-M)."""
from __future__ import annotations

from ..doc.model import Block, Case, Figure, Heading, Table

CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


class Numberer:
    def __init__(self, scheme: str):
        self.scheme = scheme                      # "global" | "per-chapter"
        self.counts = {"表": 0, "图": 0, "案例": 0}
        self.chapter_no = 0
        self.caption_no = 0      # per-chapter captions: an unnumbered chapter after 八、 numbers 图 9-1 (seed 001)

    def chapter(self, blocks: list[Block], numbered: bool) -> None:
        if numbered:
            self.chapter_no += 1
            self.caption_no = self.chapter_no
        elif self.chapter_no:
            self.caption_no += 1
        if self.scheme == "per-chapter":
            self.counts = {k: 0 for k in self.counts}
        levels = [0, 0, 0, 0]
        for b in blocks:
            if isinstance(b, Heading):
                self._heading(b, levels, numbered)
            elif isinstance(b, Table) and not b.label and b.numbered:
                b.label = self._next("表")
            elif isinstance(b, Figure):
                b.label = self._next("图")
            elif isinstance(b, Case):
                b.label = self._next("案例")
                for inner in b.blocks:
                    if isinstance(inner, Figure):
                        inner.label = self._next("图")

    def _heading(self, h: Heading, levels: list[int], numbered: bool) -> None:
        if h.level == 1:
            h.label = f"{chinese_number(self.chapter_no)}、" if numbered else ""
            return
        i = h.level - 1
        levels[i] += 1
        for k in range(i + 1, 4):
            levels[k] = 0
        n = levels[i]
        h.label = {2: f"（{chinese_number(n)}）", 3: f"{n}.", 4: f"（{n}）"}[h.level]

    def _next(self, kind: str) -> str:
        self.counts[kind] += 1
        n = self.counts[kind]
        if self.scheme == "per-chapter" and self.caption_no:
            return f"{kind} {self.caption_no}-{n}"
        return f"{kind} {n}"
