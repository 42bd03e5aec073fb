"""Regenerating after corrections: manifest, change report, protected drafts, reproducible output, no lost work."""
import hashlib
import json
import re
from datetime import date

import docx
import pytest
from PIL import Image

from reportgen.cli import main
from reportgen.regen import publish as publish_mod
from reportgen.regen.changes import compare
from reportgen.regen.manifest import manifest_path
from reportgen.regen.present import edits

STUDENTS = "全日制在校生数: {2022: 15362, 2023: 15806, 2024: 16238}"


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def set_students(demo, n):
    """Correct one raw count: 全日制在校生数 of 2024."""
    f = demo / "data" / "indicators.yaml"
    text, k = re.subn(r"(全日制在校生数: \{2022: 15362, 2023: 15806, 2024: )\d+", rf"\g<1>{n}",
                      f.read_text(encoding="utf-8"))
    assert k == 1
    f.write_text(text, encoding="utf-8")


def dated(out, n=1):
    return out.with_name(f"{out.stem}.{date.today().isoformat()}-{n}{out.suffix}")


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture
def light(demo):
    """The demo copy with its photos shrunk: the same report, built several times faster."""
    for img in (demo / "images").iterdir():
        with Image.open(img) as im:
            fmt = im.format
            im.thumbnail((320, 320))
            im.save(img, fmt)
    return demo


@pytest.fixture
def built(run, light, tmp_path):
    """The (light) demo copy built once into tmp/out/draft.docx."""
    demo = light
    out = tmp_path / "out" / "draft.docx"
    r = run("build", demo, "-o", out)
    assert r.code == 0, r.text
    assert "没有上次构建的记录" in r.out
    return out


# ---------------------------------------------------------------- manifest
def test_manifest_records_inputs_values_tables_sections_output(built):
    m = json.loads(manifest_path(built).read_text(encoding="utf-8"))
    assert manifest_path(built).name == "draft.manifest.json"
    assert len(m["inputs"]["data/indicators.yaml"]) == 64
    assert any(k.startswith("images/") for k in m["inputs"]) and any(k.startswith("pack:") for k in m["inputs"])
    assert m["indicators"]["全日制在校生数"]["values"]["2024"] == 16238
    assert m["indicators"]["生师比"]["kind"] == "derived" and m["indicators"]["生师比"]["text"]["2024"] == "19.4:1"
    cert = m["tables"]["certificates"]
    assert cert["count"] == len(cert["rows"]) and int(cert["totals"]["批准总培训人数"]) > 0
    titles = [s["title"] for s in m["sections"]]
    assert "六、发展保障 › （一）师资队伍建设" in titles
    assert all(len(s["sha256"]) == 64 for s in m["sections"])
    assert m["placeholders"] == []
    assert m["output"] == {"file": "draft.docx", "sha256": sha(built), "bytes": built.stat().st_size}
    # titles as the draft prints them, so the change report names "2024 年度技术交易额一览表"
    assert m["tables"]["tech_transfer"]["title"] == "2024 年度技术交易额一览表"
    assert not [t for t in m["tables"].values() if "{" in t["title"]]


# ---------------------------------------------------------------- must show, on the full demo
def test_full_demo_twice_is_identical_then_a_correction_is_reported(run, demo, tmp_path):
    out = tmp_path / "a" / "draft.docx"
    assert run("build", demo, "-o", out).code == 0
    first = out.read_bytes()
    r = run("build", demo, "-o", out)
    assert r.code == 0 and "与上次构建相比没有变化" in r.out and out.read_bytes() == first
    fresh = tmp_path / "b" / "draft.docx"            # rendered again from scratch
    assert run("build", demo, "-o", fresh).code == 0 and fresh.read_bytes() == first
    set_students(demo, 16500)
    r = run("build", demo, "-o", out)
    assert "全日制在校生数（2024年）：16238 人 → 16500 人" in r.out
    assert "生师比（2024年）：19.4:1 → 19.7:1" in r.out.split("随之变化的计算指标")[1]


# ---------------------------------------------------------------- reproducible, nothing changed
def test_unchanged_rebuild_is_byte_identical_and_reports_no_change(run, demo, built, tmp_path):
    first, manifest = built.read_bytes(), manifest_path(built).read_bytes()
    r = run("build", demo, "-o", built)
    assert r.code == 0 and "与上次构建相比没有变化" in r.out
    assert built.read_bytes() == first and manifest_path(built).read_bytes() == manifest
    # rendered again from scratch (forced, and into a fresh file): still the same bytes
    r = run("build", demo, "-o", built, "--force")
    assert r.code == 0 and "没有变化" in r.out and built.read_bytes() == first
    other = tmp_path / "elsewhere" / "again.docx"
    assert run("build", demo, "-o", other).code == 0
    assert other.read_bytes() == first


def test_diff_without_changes(run, demo, built):
    r = run("diff", demo, "-o", built)
    assert r.code == 0 and "与上次构建相比没有变化" in r.out


# ---------------------------------------------------------------- a corrected raw count
def test_changed_count_reports_old_new_and_derived_indicators(run, demo, built):
    set_students(demo, 16500)
    r = run("build", demo, "-o", built)
    assert r.code == 0, r.text
    out = r.out
    assert "修改的文件：data/indicators.yaml" in out
    assert "全日制在校生数（2024年）：16238 人 → 16500 人" in out
    derived = out.split("随之变化的计算指标：")[1]
    assert "生师比（2024年）：19.4:1 → 19.7:1" in derived
    assert "生均图书（2024年）：78.11 册 → 76.87 册" in derived
    assert "生均教学科研仪器设备值（2024年）" in derived
    assert "专任教师数" not in out and "2023年" not in out          # only what moved
    assert "六、发展保障 › （一）师资队伍建设：… 836 人，生师比为 【19.4:1 → 19.7:1】" in out
    m = json.loads(manifest_path(built).read_text(encoding="utf-8"))
    assert m["indicators"]["全日制在校生数"]["values"]["2024"] == 16500 and m["output"]["sha256"] == sha(built)
    # and the next build compares with this one
    assert "没有变化" in run("build", demo, "-o", built).out


def test_diff_shows_the_changes_without_building(run, demo, built):
    before, manifest = built.read_bytes(), manifest_path(built).read_bytes()
    set_students(demo, 16500)
    r = run("diff", demo, "-o", built)
    assert r.code == 0
    assert "全日制在校生数（2024年）：16238 人 → 16500 人" in r.out and "生师比（2024年）：19.4:1 → 19.7:1" in r.out
    assert built.read_bytes() == before and manifest_path(built).read_bytes() == manifest
    assert sorted(p.name for p in built.parent.iterdir()) == ["draft.docx", "draft.manifest.json"]


def test_table_rows_and_totals(run, demo, built):
    f = demo / "data" / "tables" / "certificates.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace("  批准总培训人数: 120\n", "  批准总培训人数: 150\n", 1)
    text += "- 证书名称: 新能源汽车检测职业技能等级证书（中级）\n  颁证机构: 江州汽车技能评价中心\n  批准总培训人数: 40\n"
    old_total = json.loads(manifest_path(built).read_text(encoding="utf-8"))["tables"]["certificates"]["totals"]
    f.write_text(text, encoding="utf-8")
    r = run("build", demo, "-o", built)
    assert r.code == 0, r.text
    line = next(x for x in r.out.splitlines() if "（certificates）" in x)
    n = int(json.loads(manifest_path(built).read_text(encoding="utf-8"))["tables"]["certificates"]["count"])
    assert f"{n - 1} 行 → {n} 行" in line and "新增 1 行" in line and "修改 1 行" in line
    total = int(old_total["批准总培训人数"])
    assert f"合计 批准总培训人数 {total} → {total + 70}" in line
    assert "新增：证书名称 新能源汽车检测职业技能等级证书（中级）" in r.out
    assert "修改：工业机器人操作与运维职业技能等级证书（中级）：批准总培训人数 120 → 150" in r.out


def test_placeholder_filled(run, light, tmp_path):
    demo = light
    note = demo / "narrative" / "challenges" / "01-challenge.md"
    original = note.read_text(encoding="utf-8")
    note.write_text(original + '\n\n{{ todo("补充下一年度工作计划") }}\n', encoding="utf-8")
    out = tmp_path / "draft.docx"
    assert run("build", demo, "-o", out).code == 0
    note.write_text(original + "\n\n下一年度，学校将继续深化产教融合。\n", encoding="utf-8")
    r = run("build", demo, "-o", out)
    assert "已填补的待补充（1 处）" in r.out and "【待补充：补充下一年度工作计划】" in r.out
    assert "七、面临挑战" in r.out.split("正文有变化的小节")[1]


def test_change_log_markdown_and_docx(run, demo, built, tmp_path):
    set_students(demo, 16500)
    md, word = demo / "修改说明.md", demo / "修改说明.docx"      # inside the project: not taken for inputs
    assert run("diff", demo, "-o", built, "--changes", word).code == 0
    r = run("build", demo, "-o", built, "--changes", md)
    assert r.code == 0 and "修改说明已写入" in r.out
    text = md.read_text(encoding="utf-8")
    assert "| 全日制在校生数 | 2024年 | 16238 人 | 16500 人 | 原始数据 |" in text
    assert "| 生师比 | 2024年 | 19.4:1 | 19.7:1 | 计算指标 |" in text
    assert "### 六、发展保障 › （一）师资队伍建设" in text and "生师比为 【19.4:1 → 19.7:1】" in text
    d = docx.Document(str(word))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert "全日制在校生数" in cells and "19.7:1" in cells
    assert any("师资队伍建设" in p.text for p in d.paragraphs)
    assert "与上次构建相比没有变化" in run("build", demo, "-o", built).out


def test_a_cli_build_lists_the_rows_departments_changed_in_the_browser_once(run, demo, built):
    """The department grid's record (returns/网页修改记录.jsonl) is the build's to report, not only the web page's:
    `build --changes` lists the rows changed since the previous build, and the next build does not list them again."""
    import os
    import time

    from reportgen.web.department import record_changes
    manifest = manifest_path(built)
    then = time.time() - 60
    os.utime(manifest, (then, then))                      # the previous build: a minute ago
    record_changes(demo, "招生就业处", "明细表“创新创业大赛获奖情况一览表”",
                   [{"before": {"获奖等级": "银奖"}, "after": {"获奖等级": "金奖"}}])
    md = built.parent / "修改说明.md"
    r = run("build", demo, "-o", built, "--changes", md)
    assert r.code == 0 and "网页上的修改（部门链接）：1 行" in r.out
    text = md.read_text(encoding="utf-8")
    assert "## 网页上的修改（部门链接）" in text
    assert "招生就业处 在网页上修改明细表“创新创业大赛获奖情况一览表”一行：获奖等级: 金奖（原为 获奖等级: 银奖）" in text
    later = time.time() + 5
    os.utime(manifest, (later, later))                    # this build is after the change
    r = run("build", demo, "-o", built, "--changes", md)
    assert r.code == 0 and "网页上的修改" not in r.out, r.text
    assert "网页上的修改" not in md.read_text(encoding="utf-8")


def test_changes_file_must_be_md_or_docx(run, demo, tmp_path):
    r = run("diff", demo, "--changes", tmp_path / "x.txt")
    assert r.code == 2 and ".md 或 .docx" in r.err


# ---------------------------------------------------------------- hand-edited drafts
def test_hand_edited_draft_is_kept_and_new_draft_written_beside(run, demo, built):
    d = docx.Document(str(built))
    d.add_paragraph("审阅意见：请核对就业数据。")
    d.save(str(built))
    edited = sha(built)
    set_students(demo, 16500)
    r = run("build", demo, "-o", built)
    assert r.code == 0, r.text
    assert sha(built) == edited                                   # untouched
    beside = dated(built)
    assert beside.is_file() and f"新初稿另存为：{beside}" in r.out
    assert "draft.docx 在上次构建之后被修改过" in r.out and "--force" in r.out
    assert "全日制在校生数（2024年）：16238 人 → 16500 人" in r.out
    # nothing new: the dated draft is reused, not copied again
    r = run("build", demo, "-o", built)
    assert "没有变化" in r.out and "未再另存" in r.out and not dated(built, 2).exists()
    # diff warns that the next build will not overwrite
    assert "下次构建会把新初稿另存在旁边" in run("diff", demo, "-o", built).out
    # a further correction: a new dated name, never clobbering the first
    first_beside = beside.read_bytes()
    set_students(demo, 16600)
    r = run("build", demo, "-o", built)
    assert dated(built, 2).is_file() and beside.read_bytes() == first_beside and sha(built) == edited
    assert "16500 人 → 16600 人" in r.out
    # --force overwrites; afterwards builds write in place again
    r = run("build", demo, "-o", built, "--force")
    assert r.code == 0 and sha(built) != edited and dated(built, 2).read_bytes() == built.read_bytes()
    assert "被修改过" not in r.out
    set_students(demo, 16700)
    r = run("build", demo, "-o", built)
    assert f"已生成：{built}" in r.out and not dated(built, 3).exists()


def test_existing_file_without_manifest_is_not_overwritten(run, light, tmp_path):
    demo = light
    out = tmp_path / "draft.docx"
    out.write_bytes(b"somebody's own document")
    r = run("build", demo, "-o", out)
    assert r.code == 0 and out.read_bytes() == b"somebody's own document"
    assert dated(out).is_file() and "没有上次构建的记录" in r.out


def test_draft_copied_back_over_the_target_counts_as_ours(run, demo, built):
    d = docx.Document(str(built))
    d.add_paragraph("手工修改")
    d.save(str(built))
    set_students(demo, 16500)
    run("build", demo, "-o", built)
    built.write_bytes(dated(built).read_bytes())      # the office accepts the new draft
    set_students(demo, 16600)
    r = run("build", demo, "-o", built)
    assert f"已生成：{built}" in r.out and not dated(built, 2).exists()


# ---------------------------------------------------------------- failures leave the previous draft and manifest
def _state(out):
    return out.read_bytes(), manifest_path(out).read_bytes()


def test_writer_crash_leaves_previous_draft_and_manifest(run, demo, built, monkeypatch):
    before = _state(built)
    set_students(demo, 16500)

    def crash(doc, out):
        out.write(b"PK\x03\x04 half a zip")
        raise RuntimeError("simulated crash while writing")
    monkeypatch.setattr("reportgen.write.docx_writer.write_docx", crash)
    with pytest.raises(RuntimeError):
        main(["build", str(demo), "-o", str(built)])
    assert _state(built) == before and leftovers(built.parent) == []
    assert sorted(p.name for p in built.parent.iterdir()) == ["draft.docx", "draft.manifest.json"]


def test_failed_rename_leaves_previous_draft_and_manifest(run, demo, built, monkeypatch):
    before = _state(built)
    set_students(demo, 16500)

    def no_replace(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("reportgen.fileio.os.replace", no_replace)
    r = run("build", demo, "-o", built)
    assert r.code == 1 and "无法写入" in r.err
    assert _state(built) == before and leftovers(built.parent) == []


def test_validation_failure_leaves_previous_draft_and_manifest(run, demo, built):
    before = _state(built)
    f = demo / "data" / "indicators.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(STUDENTS, "全日制在校生数: {2024: [16500"), encoding="utf-8")
    r = run("build", demo, "-o", built)
    assert r.code == 1 and "data/indicators.yaml" in r.err
    assert _state(built) == before and leftovers(built.parent) == [] and not dated(built).exists()


def test_crash_between_draft_and_manifest_is_recovered(run, demo, built, monkeypatch):
    old_manifest = manifest_path(built).read_bytes()
    set_students(demo, 16500)

    def crash(*a, **k):
        raise RuntimeError("simulated crash before the manifest")
    monkeypatch.setattr(publish_mod, "save_manifest", crash)
    with pytest.raises(RuntimeError):
        main(["build", str(demo), "-o", str(built)])
    monkeypatch.undo()
    new_draft = built.read_bytes()
    assert manifest_path(built).read_bytes() == old_manifest          # draft new, manifest old
    # the draft on disk is exactly what this build makes: recognised as ours, not as a hand edit
    r = run("build", demo, "-o", built)
    assert r.code == 0 and "被修改过" not in r.out and not dated(built).exists()
    assert built.read_bytes() == new_draft
    assert "全日制在校生数（2024年）：16238 人 → 16500 人" in r.out  # still measured from the last record
    assert json.loads(manifest_path(built).read_text(encoding="utf-8"))["output"]["sha256"] == sha(built)


# ---------------------------------------------------------------- comparing manifests
def _manifest(**over):
    m = {"reportgen": {"version": "1"}, "inputs": {}, "indicators": {}, "tables": {}, "sections": [],
         "placeholders": []}
    m.update(over)
    return m


def test_compare_pairs_edited_rows_and_keys_sections_without_numbers():
    table = lambda rows: {"title": "T", "columns": ["名称", "人数"], "count": len(rows), "totals": {}, "rows": rows}  # noqa: E731
    old = _manifest(tables={"t": table([["甲", "1"], ["乙", "2"], ["丙", "3"]])},
                    sections=[{"key": "一 › 就业", "title": "一、X › （三）就业", "sha256": "a", "text": ["x"]}])
    new = _manifest(tables={"t": table([["甲", "1"], ["乙", "5"], ["丁", "4"], ["丙", "3"]])},
                    sections=[{"key": "一 › 就业", "title": "一、X › （四）就业", "sha256": "a", "text": ["x"]}])
    ch = compare(old, new)
    [t] = ch.tables
    assert t.changed == ["乙：人数 2 → 5"] and t.added == ["名称 丁，人数 4"] and t.removed == []
    assert ch.sections_changed == [] and ch.sections_added == [] and ch.sections_removed == []
    assert compare(None, new).baseline is False and compare(new, new).empty


def test_edits_show_whole_numbers_and_rewrites():
    assert edits(["全日制在校生 16238 人。"], ["全日制在校生 16500 人。"]) == ["全日制在校生 【16238 → 16500】 人。"]
    assert edits(["旧的一段话"], ["完全不同的新内容，重新写过"]) == ["原：旧的一段话", "改为：完全不同的新内容，重新写过"]
