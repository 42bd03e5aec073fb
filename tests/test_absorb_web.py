"""收回修改 in a real browser: upload the edited draft, read the list, 采用; screenshots in screens/."""
from __future__ import annotations

from absorbutil import COMMENT, CELL, DATA_NUMBER, REWORD, edit_like_a_reviewer
from reportgen.web.app import Settings, create_app
from test_web_browser import STEP_TIMEOUT_S, Steps, body_text, browser, wait_for  # noqa: F401 (fixture)
from webutil import Served


def test_absorb_upload_list_and_confirm_in_chromium(browser, demo, run, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    assert run("build", demo).code == 0
    draft = next(p for p in (demo / "build").glob("*.docx") if "." not in p.stem)
    edited = tmp_path / "校长审阅稿.docx"
    edit_like_a_reviewer(draft, edited)
    party = demo / "narrative/talent/01-party.md"
    served = Served(create_app([demo], Settings()))
    steps = Steps(browser, tmp_path / "screens")
    try:
        browser.get(served.url + "/p/demo")
        wait_for(lambda: "收回修改" in body_text(browser), STEP_TIMEOUT_S, "the project page")
        browser.find_element(By.ID, "absorb-link").click()
        wait_for(lambda: browser.find_elements(By.ID, "draft"), STEP_TIMEOUT_S, "the absorb page")
        steps.shot("absorb-page")

        # a file that is not a draft of this project: said plainly, nothing written
        other = tmp_path / "别的文件.docx"
        import docx
        d = docx.Document()
        for i in range(12):
            d.add_paragraph(f"无关文件第 {i} 段。")
        d.save(str(other))
        browser.find_element(By.ID, "draft").send_keys(str(other))
        browser.find_element(By.ID, "absorb-upload-button").click()
        wait_for(lambda: browser.find_elements(By.ID, "absorb-error"), STEP_TIMEOUT_S, "the refusal")
        assert "不是本项目生成的初稿" in body_text(browser) and "别的文件.docx" in body_text(browser)
        steps.shot("not-a-draft")

        browser.find_element(By.ID, "draft").send_keys(str(edited))
        browser.find_element(By.ID, "absorb-upload-button").click()
        wait_for(lambda: browser.find_elements(By.ID, "absorb-list"), STEP_TIMEOUT_S, "the list of edits")
        text = body_text(browser)
        assert "将写回源文件" in text and "【努 → 着】" in text
        assert f"“{DATA_NUMBER[1]}”改成了“{DATA_NUMBER[2]}”" in text and f"“{CELL[1]}”改成了“{CELL[2]}”" in text
        assert COMMENT[1] in text and COMMENT[2] in text
        assert "修订（按接受处理）" in text
        assert REWORD[2] not in party.read_text(encoding="utf-8")         # nothing written before 采用
        steps.shot("absorb-list")
        browser.execute_script("document.getElementById('absorb-conflicts').scrollIntoView()")
        steps.shot("absorb-conflicts")

        browser.find_element(By.ID, "absorb-confirm").click()
        wait_for(lambda: browser.find_elements(By.ID, "notice"), STEP_TIMEOUT_S, "the project page's notice")
        notice = browser.find_element(By.ID, "notice").text
        assert "已收回“校长审阅稿.docx”中的修改" in notice and "收回清单.txt" in notice
        steps.shot("absorbed")
        assert REWORD[2] in party.read_text(encoding="utf-8")
        assert list(demo.glob("returns/*/修改前/narrative/talent/01-party.md"))
        assert not list((demo / "build" / ".absorb" / "uploads").glob("*.docx"))     # the upload is gone
    finally:
        served.stop()
