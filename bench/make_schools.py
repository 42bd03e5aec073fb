"""Generate N synthetic school projects for batch and aggregate runs.

    python bench/make_schools.py 100 /tmp/schools

Every project is derived from examples/annual-2024-demo (pack annual-2024): the school gets
a made-up name, its detail tables are resampled to a varied number of rows (0.3× … 2×) with
randomized counts, its raw indicators are scaled by one size factor (rates get small noise),
and a varied subset of the demo narrative is kept. About one school in ten carries a
deliberate data error (a bad number, an unknown enum value or a YAML syntax error); the
list is written to OUT_DIR/expected.json. A fixed seed makes every run identical.

Photos are downscaled once into OUT_DIR/.pool and hard-linked into each project (copied
when links are not possible), so 100 projects cost a few MB of disk.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "annual-2024-demo"
PACK = REPO / "templates" / "annual-2024"
DEMO_NAME = "江州职业技术学院"
SEED = 20241201
POOL_MAX_PX = 1200

CITIES = ["江州", "临川", "云岭", "青岚", "白石", "东湖", "南浦", "西陵", "北固", "安澜", "清河", "长宁", "丰城", "永安",
          "泰和", "平江", "金沙", "玉溪", "龙泉", "凤台", "紫阳", "松阳", "桐庐", "兰溪", "秀山", "明光", "宁远", "武宁",
          "吉水", "庐山", "石城", "宜川", "瑞金", "景德", "鹤鸣", "柳塘", "枫林", "海陵", "临海", "天台"]
KINDS = [("职业技术学院", "高等职业"), ("职业学院", "高等职业"), ("工程职业技术学院", "高等职业"),
         ("中等专业学校", "中等职业"), ("职业技术学校", "中等职业")]
ERROR_KINDS = ("bad_number", "unknown_enum", "yaml_syntax")


@dataclass(frozen=True)
class Row:
    """One detail-table row as (column, scalar text, written plain?) triples, in file order."""
    cells: tuple[tuple[str, str, bool], ...]


# ---------------------------------------------------------------- reading the demo
def read_rows(path: Path) -> list[Row]:
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    rows = []
    for rnode in node.value if node is not None else []:
        rows.append(Row(tuple((k.value, v.value, v.style is None) for k, v in rnode.value)))
    return rows


def column_types() -> dict[str, dict[str, str]]:
    spec = yaml.safe_load((PACK / "tables.yaml").read_text(encoding="utf-8"))
    return {tid: {c["name"]: c.get("type", "enum" if "choices" in c else "text") for c in t["columns"]}
            for tid, t in spec.items()}


def indicator_units() -> dict[str, str]:
    spec = yaml.safe_load((PACK / "indicators.yaml").read_text(encoding="utf-8"))
    return {name: str(d.get("unit", "")) for name, d in spec.items()}


# ---------------------------------------------------------------- writing
def scalar(text: str, plain: bool) -> str:
    return text if plain else json.dumps(text, ensure_ascii=False)


def dump_rows(rows: list[Row], header: str = "") -> str:
    out = [header] if header else []
    for row in rows:
        for i, (key, text, plain) in enumerate(row.cells):
            out.append(f"{'- ' if i == 0 else '  '}{key}: {scalar(text, plain)}")
    return "\n".join(out) + "\n"


def resample(rng: random.Random, rows: list[Row], n: int, types: dict[str, str], tag: str = "") -> list[Row]:
    """n rows drawn from `rows` (order kept, so merged category runs stay together), counts varied."""
    if not rows or n <= 0:
        return []
    picks = sorted(rng.randrange(len(rows)) for _ in range(n))
    out = []
    for k, i in enumerate(picks):
        cells = []
        first_text = True
        for key, text, plain in rows[i].cells:
            kind = types.get(key, "text")
            if kind == "integer" and plain and text.isdigit() and not key.endswith("时间"):
                text = str(max(1, round(int(text) * rng.uniform(0.5, 1.6))))
            elif kind == "decimal" and plain and re.fullmatch(r"\d+(\.\d+)?", text):
                text = f"{float(text) * rng.uniform(0.5, 1.6):.2f}"
            elif kind == "text" and first_text and tag:
                text, plain = f"{text}（{tag}{k + 1}）", False
                first_text = False
            cells.append((key, text, plain))
        out.append(Row(tuple(cells)))
    return out


def table_header(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#") and line.strip():
            break
        lines.append(line)
    return "\n".join(lines).rstrip() + "\n"


def link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def image_pool(out_dir: Path) -> Path:
    """The demo's images, photos downscaled to POOL_MAX_PX (EXIF orientation kept as a tag)."""
    from PIL import Image
    pool = out_dir / ".pool"
    if pool.is_dir():
        return pool
    tmp = out_dir / ".pool.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for src in sorted((DEMO / "images").iterdir()):
        if src.suffix.lower() in (".jpg", ".jpeg"):
            with Image.open(src) as im:
                exif = im.getexif()
                im.thumbnail((POOL_MAX_PX, POOL_MAX_PX))
                im.save(tmp / src.name, "JPEG", quality=82, exif=exif.tobytes())
        elif src.is_file():
            shutil.copyfile(src, tmp / src.name)
    tmp.rename(pool)
    return pool


# ---------------------------------------------------------------- one school
def school_names(n: int, rng: random.Random) -> list[tuple[str, str]]:
    combos = [(c + k, level) for c in CITIES for k, level in KINDS if c + k != DEMO_NAME]
    rng.shuffle(combos)
    out = []
    for i in range(n):
        name, level = combos[i % len(combos)]
        out.append((name if i < len(combos) else f"{name}{i // len(combos) + 1}分校", level))
    return out


def make_school(dest: Path, name: str, level: str, rng: random.Random, pool: Path,
                error: str | None = None) -> None:
    types = column_types()
    units = indicator_units()
    size = rng.uniform(0.3, 2.0)
    (dest / "data" / "tables").mkdir(parents=True, exist_ok=True)

    report = (DEMO / "report.yaml").read_text(encoding="utf-8")
    report = report.replace(DEMO_NAME, name).replace("level: 高等职业", f"level: {level}")
    (dest / "report.yaml").write_text(report, encoding="utf-8")

    for path in sorted((DEMO / "data" / "tables").glob("*.yaml")):
        rows = read_rows(path)
        n = max(0, round(len(rows) * size * rng.uniform(0.7, 1.3)))
        text = dump_rows(resample(rng, rows, n, types.get(path.stem, {})), table_header(path))
        (dest / "data" / "tables" / path.name).write_text(text, encoding="utf-8")

    write_indicators(dest / "data" / "indicators.yaml", rng, size, units)
    write_narrative(dest, name, rng, pool)
    if error:
        inject_error(dest, error, rng)


# Raw counts vary by school size, then by group (a school with many teachers for its students has
# a low 生师比); a 其中 row or a subset never grows faster than the row it is part of.
GROUPS = {
    "teachers": ("专任教师数", "双师素质专任教师数", "正高级职称专任教师数", "副高级职称专任教师数",
                 "在岗教职员工总数", "教职员工额定编制数"),
    "graduates": ("毕业生人数", "毕业去向落实人数", "自主创业人数", "专业相关就业人数", "当地就业人数"),
    "books": ("纸质图书总量",),
    "equipment": ("教学科研仪器设备总值", "企业提供的校内实践教学设备值", "校内实践教学工位数"),
    "income": ("横向技术服务到款额", "纵向科研经费到款额", "非学历培训到账经费", "非学历培训项目数", "非学历培训学时"),
}
GROUP_SPREAD = {"teachers": (0.8, 1.25), "graduates": (0.85, 1.15), "books": (0.8, 1.3),
                "equipment": (0.7, 1.4), "income": (0.5, 1.8)}
SUBSETS = {"双师素质专任教师数", "正高级职称专任教师数", "副高级职称专任教师数", "毕业去向落实人数",
           "自主创业人数", "专业相关就业人数", "当地就业人数"}


def indicator_factors(rng: random.Random, size: float) -> dict[str, float]:
    out = {}
    for group, names in GROUPS.items():
        g = rng.uniform(*GROUP_SPREAD[group])
        for name in names:
            out[name] = size * g * (rng.uniform(0.93, 1.0) if name in SUBSETS else 1.0)
    return out


def write_indicators(path: Path, rng: random.Random, size: float, units: dict[str, str]) -> None:
    factors = indicator_factors(rng, size)
    out = []
    for line in (DEMO / "data" / "indicators.yaml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([^#\s][^:]*):\s*\{(.*)\}(.*)$", line)
        if not m:
            out.append(line)
            continue
        name, body, rest = m.groups()
        unit = units.get(name, "")
        noise = rng.uniform(-2.5, 1.5)
        factor = factors.get(name, size)
        years = []
        for part in body.split(","):
            year, _, value = part.partition(":")
            value = value.strip()
            if re.fullmatch(r"\d+", value) and unit not in ("%", "Mbps") and name != "月收入":
                value = str(max(0, round(int(value) * factor)))
            elif re.fullmatch(r"\d+\.\d+", value) and unit == "%":
                value = f"{min(100.0, max(0.0, float(value) + noise)):.2f}"
            elif re.fullmatch(r"\d+\.\d+", value):
                value = f"{float(value) * factor:.2f}"
            elif re.fullmatch(r"\d+", value) and name == "月收入":
                value = str(round(int(value) * rng.uniform(0.85, 1.15)))
            years.append(f"{year.strip()}: {value}")
        out.append(f"{name}: {{{', '.join(years)}}}{rest}")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def write_narrative(dest: Path, name: str, rng: random.Random, pool: Path) -> None:
    keep_share = rng.uniform(0.4, 1.0)
    for chapter in sorted((DEMO / "narrative").iterdir()):
        files = sorted(chapter.glob("*.md"))
        for i, f in enumerate(files):
            text = f.read_text(encoding="utf-8")
            # the first file of a chapter and every file that inserts a table are always kept
            if i > 0 and "table(" not in text and rng.random() > keep_share:
                continue
            out = dest / "narrative" / chapter.name / f.name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text.replace(DEMO_NAME, name), encoding="utf-8")
            for src in re.findall(r"\]\((images/[^)\s\"]+)", text):
                if not (dest / src).exists():
                    link_or_copy(pool / Path(src).name, dest / src)


def inject_error(dest: Path, kind: str, rng: random.Random) -> None:
    """Break one thing a school could plausibly get wrong; validate must name it."""
    if kind == "bad_number":
        path = dest / "data" / "tables" / "certificates.yaml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(批准总培训人数: )\d+", r"\1约一百二十人", text, count=1)
        if "约一百二十人" not in text:           # no row drawn: add one
            text += "- 证书名称: 数据错误示例证书\n  颁证机构: 某评价组织\n  批准总培训人数: 约一百二十人\n"
        path.write_text(text, encoding="utf-8")
    elif kind == "unknown_enum":
        path = dest / "data" / "tables" / "innovation_awards.yaml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(获奖级别: )\S+", r"\1区县级", text, count=1)
        if "区县级" not in text:
            text += "- 获奖名称: 数据错误示例\n  获奖级别: 区县级\n  获奖等级: 一等奖\n  授予单位: 某单位\n"
        path.write_text(text, encoding="utf-8")
    elif kind == "yaml_syntax":
        path = dest / "data" / "indicators.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        i = next(k for k, line in enumerate(lines) if line.startswith("全日制在校生数:"))
        lines[i] = lines[i].replace("}", "", 1)    # unclosed flow mapping
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        raise ValueError(kind)


# ---------------------------------------------------------------- many schools
def make_schools(n: int, out_dir: Path, seed: int = SEED, error_every: int = 10) -> dict:
    """Write n projects school-001 … into out_dir; returns (and writes) the expected outcome."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = image_pool(out_dir)
    names = school_names(n, rng)
    expected = {"ok": [], "broken": {}}
    for i, (name, level) in enumerate(names, start=1):
        dest = out_dir / f"school-{i:03d}"
        if dest.exists():
            shutil.rmtree(dest)
        error = ERROR_KINDS[(i // error_every) % len(ERROR_KINDS)] if error_every and i % error_every == 7 % error_every else None
        make_school(dest, name, level, random.Random(f"{seed}-{i}"), pool, error)
        if error:
            expected["broken"][dest.name] = {"name": name, "error": error}
        else:
            expected["ok"].append(dest.name)
    (out_dir / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    return expected


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="生成 N 个合成的学校项目（用于批量构建与汇总报告测试）")
    ap.add_argument("n", type=int, help="学校数量")
    ap.add_argument("out_dir", type=Path, help="输出文件夹")
    ap.add_argument("--seed", type=int, default=SEED, help="随机种子（默认固定，结果可复现）")
    ap.add_argument("--error-every", type=int, default=10, help="每多少所学校放入一处数据错误（0 表示不放）")
    args = ap.parse_args(argv)
    expected = make_schools(args.n, args.out_dir, args.seed, args.error_every)
    print(f"已生成 {args.n} 所学校：{args.out_dir}（其中 {len(expected['broken'])} 所含故意的数据错误，"
          f"见 {args.out_dir / 'expected.json'}）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
