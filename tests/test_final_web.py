"""The 发布前检查 page and the 待补充 count on the project page and in `status` (issues 27 and 23 §5)."""
from __future__ import annotations

import json

import yaml
from deptutil import drop_departments

from webutil import app, client, text_of  # noqa: F401 (app, client: fixtures)

LAST_YEAR = ("| 数字 | 上下文 | 在去年报告中的位置 | 现在所在文件 |\n| --- | --- | --- | --- |\n"
             "| 5809 人 | 全年毕业生 5809 人 | a.docx › 第 3 段 | narrative/talent/01-party.md |\n")


def _last_year_number(demo) -> None:
    f = demo / "narrative" / "talent" / "01-party.md"
    f.write_text(f.read_text(encoding="utf-8") + "\n全年毕业生 5809 人。\n", encoding="utf-8")
    (demo / "去年的数字.md").write_text(LAST_YEAR, encoding="utf-8")


def test_final_page_shows_the_verdict_and_each_place(demo, client):
    drop_departments(demo)                                  # the demo's departments have not returned: another item
    _last_year_number(demo)
    page = client.get("/p/demo")
    assert page.status_code == 200
    assert "待补充 13 处" in text_of(page.text)             # 12 empty appendix cells + last year's number
    assert 'href="/p/demo/final"' in page.text
    r = client.get("/p/demo/final")
    assert r.status_code == 200
    text = text_of(r.text)
    # the typed 5809 also disagrees with the data's graduates (a prose item of its own)
    assert "发布前检查：还不能发布，有 14 项须处理（待补充 13，正文数字与数据不一致 1）。" in text
    assert "narrative/talent/01-party.md:" in text and "未核对的去年数字：5809 人" in text
    assert "数据表 5 服务贡献表 › 500强企业就业人数 › 2022年、2023年、2024年" in text
    assert client.get("/p/nothing/final").status_code == 404


def test_status_counts_last_year_numbers_of_a_section(demo, run):
    _last_year_number(demo)
    drop_departments(demo)                                  # replaced by one department of the test's own
    path = demo / "report.yaml"
    path.write_text(path.read_text(encoding="utf-8") + yaml.safe_dump(
        {"departments": {"党委宣传部": {"sections": ["talent/party"]}}}, allow_unicode=True), encoding="utf-8")
    r = run("status", demo, "--json")
    assert r.code == 0, r.text
    [item] = json.loads(r.out)["departments"][0]["items"]
    assert item["placeholders"] == 1
    f = demo / "narrative" / "talent" / "01-party.md"
    f.write_text(f.read_text(encoding="utf-8").replace("全年毕业生 5809 人。", "全年毕业生 5809 人。{# 已核对 #}"),
                 encoding="utf-8")
    [item] = json.loads(run("status", demo, "--json").out)["departments"][0]["items"]
    assert item["placeholders"] == 0
