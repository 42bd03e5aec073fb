"""Pack-declared charts: computed from the data, drawn deterministically, inserted as numbered figures."""
import re
import shutil

import docx
import pytest
from docx.oxml.ns import qn

from reportgen.chart import draw
from reportgen.pack import BUILTIN_PACKS
from reportgen.pipeline import prepare
from reportgen.render.charts import indicator_chart

CHART_CAPTIONS = ["近三年横向技术服务到款额", "近三年双师素质专任教师占比", "学生创新创业大赛获奖级别分布"]


def _figure_captions(path):
    body = docx.Document(str(path)).element.body
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return [t for t in texts if re.match(r"^图\s*\d+\s", t)]


def test_demo_charts_are_numbered_figures(demo_docx):
    captions = _figure_captions(demo_docx)
    for title in CHART_CAPTIONS:
        assert any(c.endswith(title) for c in captions), (title, captions)


def test_series_and_breakdown_come_from_the_data(demo):
    prepared = prepare(demo)
    charts = {d.id: d for d, _ in prepared.rendered.charts}
    income = charts["service_income"]
    assert income.categories == ("2022年", "2023年", "2024年")
    assert income.series[0].values == (1286.50, 1652.38, 2038.74)
    assert income.series[0].labels[-1] == "2038.74"
    dq = charts["double_qualified"]
    assert dq.series[0].labels[-1] == "75.60%"
    awards = charts["innovation_awards_by_level"]
    rows = prepared.dataset.tables["innovation_awards"].rows
    assert sum(awards.series[0].values) == len(rows)
    assert awards.categories[0] == "国家级"           # the column's declared order, not alphabetical


def test_not_reported_year_is_a_gap(demo):
    prepared = prepare(demo)
    pack = prepared.dataset.pack
    c = pack.charts["service_income"].__class__(id="x", title="t", kind="line", loc=None, indicators=("毕业三年职位晋升比例",))
    data = indicator_chart(c, prepared.indicators, prepared.dataset.year, "t")
    assert data.series[0].values[0] is None and data.series[0].labels[0] == "-"


def test_drawing_is_deterministic(demo, tmp_path):
    prepared = prepare(demo)
    data = prepared.rendered.charts[0][0]
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    draw.draw_chart(data, a, 150)
    draw.draw_chart(data, b, 150)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_charts_go_to_build_folder_not_images(run, demo, tmp_path):
    before = sorted(p.name for p in (demo / "images").iterdir())
    assert run("build", demo, "-o", tmp_path / "x.docx").code == 0
    assert sorted(p.name for p in (demo / "images").iterdir()) == before
    assert len(list((demo / "build" / "charts").glob("service_income-*.png"))) == 1


def test_unchanged_chart_is_reused_and_a_changed_one_redrawn(run, demo, tmp_path):
    assert run("build", demo, "-o", tmp_path / "a.docx").code == 0
    charts = demo / "build" / "charts"
    first = {p.name: p.stat().st_mtime_ns for p in charts.glob("*.png")}
    data = demo / "data" / "indicators.yaml"
    text = data.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("横向技术服务到款额"))
    data.write_text(text.replace(line, line.replace("2024: ", "2024: 1")), encoding="utf-8")
    assert run("build", demo, "-o", tmp_path / "b.docx").code == 0
    second = {p.name: p.stat().st_mtime_ns for p in charts.glob("*.png")}
    changed = [n for n in second if n not in first]
    assert len(changed) == 1 and changed[0].startswith("service_income-")      # only the moved chart is redrawn
    assert all(second[n] == first[n] for n in second if n in first)           # the others are reused untouched
    assert len(second) == len(first)                                          # the stale picture is gone


def test_unknown_chart_is_located(run, demo):
    f = demo / "narrative" / "culture" / "01-red.md"
    f.write_text("## 标题\n\n正文。\n\n{{ chart(\"no_such_chart\") }}\n", encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "narrative/culture/01-red.md:" in r.err and "no_such_chart" in r.err
    assert "service_income" in r.err          # lists the charts the pack has


def test_caption_can_be_overridden(run, demo, tmp_path):
    f = demo / "narrative" / "culture" / "01-red.md"
    f.write_text("## 标题\n\n正文。\n\n{{ chart(\"service_income\", \"技术服务到款额变化\") }}\n", encoding="utf-8")
    out = tmp_path / "x.docx"
    assert run("build", demo, "-o", out).code == 0
    assert any(c.endswith("技术服务到款额变化") for c in _figure_captions(out))


def test_bad_chart_definition_is_a_pack_error(run, demo):
    pack = demo / "mypack"
    shutil.copytree(BUILTIN_PACKS / "annual-2024", pack)
    charts = pack / "charts.yaml"
    charts.write_text(charts.read_text(encoding="utf-8") + "- {id: bad, title: 坏图, kind: bar, indicators: [不存在的指标]}\n",
                      encoding="utf-8")
    report = demo / "report.yaml"
    report.write_text(re.sub(r"(?m)^pack:.*$", "pack: mypack", report.read_text(encoding="utf-8")), encoding="utf-8")
    r = run("validate", demo)
    assert r.code == 1 and "不存在的指标" in r.err and "charts.yaml:" in r.err


def test_missing_cjk_font_warns_and_still_builds(run, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(draw, "cjk_font", lambda: None)
    r = run("build", demo, "-o", tmp_path / "x.docx")
    assert r.code == 0, r.text
    assert "fonts-noto-cjk" in r.err


@pytest.mark.parametrize("kind", ["bar", "line"])
def test_several_series_get_a_legend(demo, tmp_path, kind):
    prepared = prepare(demo)
    pack = prepared.dataset.pack
    c = pack.charts["research_income"].__class__(id="r", title="t", kind=kind, loc=None,
                                                  indicators=("横向技术服务到款额", "纵向科研经费到款额"))
    data = indicator_chart(c, prepared.indicators, prepared.dataset.year, "t")
    assert len(data.series) == 2
    draw.draw_chart(data, tmp_path / "r.png", 150)
    assert (tmp_path / "r.png").stat().st_size > 1000
