"""The benchmark's building blocks: stage timings, the pandoc reference Markdown, BENCHMARKS.md sections."""
import sys
from pathlib import Path

from reportgen import pipeline
from reportgen.write.markdown import document_markdown

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run as bench_run  # noqa: E402


def test_build_reports_every_stage(demo, tmp_path):
    timings = {}
    pipeline.build(demo, tmp_path / "x.docx", timings=timings)
    assert set(timings) == {"load", "check", "compute", "render", "write"}
    assert all(v >= 0 for v in timings.values())


def test_markdown_has_the_same_content(demo):
    prepared = pipeline.prepare(demo)
    pipeline.draw_pending_charts(prepared)
    md = document_markdown(prepared.rendered.document)
    doc = prepared.rendered.document
    from reportgen.doc import model as m
    blocks = list(m.iter_blocks(doc.blocks))
    tables = [b for b in blocks if isinstance(b, m.Table)]
    figures = [b for b in blocks if isinstance(b, m.Figure)]
    assert md.count("\nTable: ") == len(tables)
    assert md.count("](<") == sum(len(f.images) for f in figures)
    assert md.count("**案例 ") == sum(isinstance(b, m.Case) for b in blocks)
    first = tables[0]
    assert f"| 1 | {first.rows[0][0].text}" in md.replace("\\\\", "")
    assert "# 一、人才培养" in md


def test_write_section_keeps_other_sections(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# 性能测试结果\n\n## 重新构建耗时\n\n<!-- other: start -->\n别人的\n<!-- other: end -->\n",
                    encoding="utf-8")
    bench_run.write_section("第一次\n", path)
    bench_run.write_section("第二次\n", path)
    text = path.read_text(encoding="utf-8")
    assert "别人的" in text and "第二次" in text and "第一次" not in text
    assert text.count(bench_run.HEADING) == 1
