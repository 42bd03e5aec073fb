"""Detail tables of a real published report (seed 000), read back from its flattened PDF text at test time.

The text has one cell (or a wrapped piece of one) per line and repeats the header after page
breaks; only what the tests need is recovered: 表5 (创新创业大赛获奖) and 表11 (技术交易额).
"""
from __future__ import annotations

import re
from pathlib import Path

# the seed reports sit in shared/ beside the checkout (CI lays a copy there too), or a level further up
# for a checkout in a worktree folder
SEEDS = next((p / "shared" / "seeds" for p in Path(__file__).resolve().parents[2:4] if (p / "shared" / "seeds").is_dir()),
             Path(__file__).resolve().parents[2] / "shared" / "seeds")
LEVELS = ("国家级", "省级", "市级", "校级")


def seed_000() -> Path | None:
    found = sorted(SEEDS.glob("000_*.txt")) if SEEDS.is_dir() else []
    return found[0] if found else None


def _lines_between(path: Path, start: str, end: str) -> list[str]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    i = next(n for n, ln in enumerate(lines) if ln.startswith(start))
    j = next(n for n in range(i + 1, len(lines)) if lines[n].startswith(end))
    return lines[i + 1:j]


def innovation_awards(path: Path) -> list[dict]:
    """表5 rows: 获奖名称, 获奖级别, 获奖等级 (printed in brackets inside the name), 授予单位."""
    rows, row, part, after_header = [], None, "", False
    for ln in _lines_between(path, "表 5 创新创业大赛获奖情况一览表", "案例"):
        if ln.startswith("序号"):
            after_header = True
            continue
        if re.fullmatch(r"\d{1,2}", ln):
            row, part, after_header = {"name": "", "level": "", "org": ""}, "name", False
            rows.append(row)
        elif row is None:
            continue
        elif ln in LEVELS:
            row["level"], part = ln, "org"
        elif after_header and part == "org":
            row["name"] += ln          # a title continued after the repeated header
        else:
            row[part] += ln
    out = []
    for r in rows:
        grade = re.search(r"（([^（）]*(?:奖|杯|老师|教师))）", r["name"])
        out.append({"获奖名称": r["name"], "获奖级别": r["level"],
                    "获奖等级": grade.group(1) if grade else "优秀奖", "授予单位": r["org"]})
    return out


def tech_transfer(path: Path) -> list[dict]:
    """表11 rows: 项目名称, 主持人, 到账金额（万元）, 合同类型. The person and the amount share a line."""
    rows, expected = [], 1
    for ln in _lines_between(path, "表 11 2023 年度技术交易额一览表", "案例"):
        m = re.match(r"^(\d+)(?:\s+|$)(.*)$", ln)
        if m and int(m.group(1)) == expected:
            rows.append([m.group(2)] if m.group(2) else [])
            expected += 1
        elif rows:
            rows[-1].append(ln)
    out = []
    for lines in rows:
        row = {"项目名称": "", "主持人": "", "到账金额": "", "合同类型": ""}
        for ln in lines:
            m = re.match(r"^(.*?)(?:^|\s)([\u4e00-\u9fa5]{2,4}) (\d+(?:\.\d+)?)\s*(.*)$", ln)
            if m and not row["到账金额"]:
                row["项目名称"] += m.group(1).strip()
                row["主持人"], row["到账金额"], row["合同类型"] = m.group(2), m.group(3), m.group(4)
            elif row["到账金额"]:
                row["合同类型"] += ln
            else:
                row["项目名称"] += ln
        out.append(row)
    return out
