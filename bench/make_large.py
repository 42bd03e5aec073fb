"""Generate one project with SCALE× the demo's content (default 10×) for the benchmark.

    python bench/make_large.py /tmp/large [--scale 10]

- every detail table has SCALE× the demo's rows (resampled, names tagged so rows stay distinct);
- every narrative file appears SCALE times; only the first copy inserts the detail tables;
- the demo's 25 cases appear in the first 8 copies only (200 cases at scale 10);
- every copy cites its own copy of each photo (real files: nothing is shared or cached).
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_schools import DEMO, SEED, column_types, dump_rows, read_rows, resample, table_header  # noqa: E402

TABLE_CALL = re.compile(r"^\{\{\s*table\(.*\)\s*\}\}\s*$", re.M)
CASE = re.compile(r"^::: 案例.*?^:::\s*$", re.M | re.S)
IMAGE = re.compile(r"\]\(images/([^)\s\"]+)")


def distinct_copy(src: Path, dst: Path, r: int) -> None:
    """Copy 0 is the file itself; later copies get a few changed pixels (same size, EXIF kept), so
    neither our writer nor pandoc can store them once for all copies."""
    if r == 0:
        shutil.copyfile(src, dst)
        return
    from PIL import Image
    with Image.open(src) as im:
        exif = im.info.get("exif")
        fmt = im.format
        im.load()
        for k in range(8):
            im.putpixel((r * 8 + k, r), (255 - r * 20, k * 30, r * 10) + ((255,) if im.mode == "RGBA" else ()))
        kw = {"quality": 90, "exif": exif} if fmt == "JPEG" and exif else {"quality": 90} if fmt == "JPEG" else {}
        im.save(dst, fmt, **kw)


def make_large(dest: Path, scale: int = 10, cases: int = 200, seed: int = SEED) -> dict:
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "data" / "tables").mkdir(parents=True)
    (dest / "images").mkdir()
    rng = random.Random(seed)
    types = column_types()
    shutil.copyfile(DEMO / "report.yaml", dest / "report.yaml")
    shutil.copyfile(DEMO / "data" / "indicators.yaml", dest / "data" / "indicators.yaml")
    rows_total = 0
    for path in sorted((DEMO / "data" / "tables").glob("*.yaml")):
        rows = read_rows(path)
        new = resample(rng, rows, len(rows) * scale, types.get(path.stem, {}), tag="批")
        rows_total += len(new)
        (dest / "data" / "tables" / path.name).write_text(dump_rows(new, table_header(path)), encoding="utf-8")

    demo_cases = sum(len(CASE.findall(f.read_text(encoding="utf-8"))) for f in (DEMO / "narrative").rglob("*.md"))
    copies_with_cases = min(scale, -(-cases // max(demo_cases, 1)))
    n_cases = n_images = 0
    for chapter in sorted((DEMO / "narrative").iterdir()):
        for f in sorted(chapter.glob("*.md")):
            text = f.read_text(encoding="utf-8")
            for r in range(scale):
                body = text if r == 0 else TABLE_CALL.sub("", text)
                if r >= copies_with_cases:
                    body = CASE.sub("", body)
                n_cases += len(CASE.findall(body))
                for name in set(IMAGE.findall(body)):
                    distinct_copy(DEMO / "images" / name, dest / "images" / f"r{r}-{name}", r)
                n_images += len(IMAGE.findall(body))
                body = IMAGE.sub(lambda m: f"](images/r{r}-{m.group(1)}", body)
                out = dest / "narrative" / chapter.name / f"{f.stem}-r{r}.md"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(body, encoding="utf-8")
    return {"rows": rows_total, "cases": n_cases, "images": n_images, "scale": scale}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="生成内容为示例项目 N 倍的大型项目（性能测试用）")
    ap.add_argument("dest", type=Path)
    ap.add_argument("--scale", type=int, default=10)
    args = ap.parse_args(argv)
    info = make_large(args.dest, args.scale)
    print(f"已生成 {args.dest}：明细表 {info['rows']} 行，案例 {info['cases']} 个，图片 {info['images']} 幅")
    return 0


if __name__ == "__main__":
    sys.exit(main())
