"""Issue 25's walk in a real browser (chromium): a project made by `reportgen init` (with departments), its
whole-school workbook downloaded, filled and uploaded, the department kits made and one department's Word
section uploaded, an indicator corrected, the draft built, and the downloads taken. Screenshots of each step
are saved under the test's temp folder (screens/), at 1366×768."""
from __future__ import annotations

import io
import zipfile


from reportgen.cli import main
from reportgen.web.app import Settings, create_app

from test_web_browser import BUILD_TIMEOUT_S, STEP_TIMEOUT_S, Steps, body_text, browser, downloaded, wait_for  # noqa: F401
from webutil import Served

SENTENCE = "本年度学校开展就业指导讲座十二场，毕业生去向落实情况良好。"


def fill_workbook(path, out, values: dict[str, int]) -> None:
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb["指标"]
    col = next(c.column for c in ws[1] if c.value == 2024)
    for row in ws.iter_rows(min_row=2):
        if row[0].value in values:
            ws.cell(row=row[0].row, column=col, value=values[row[0].value])
    wb.save(out)


def write_section(kit_zip: bytes, out, heading_part: str) -> None:
    """The department's writing task with a sentence written under one section, as a person does in Word."""
    from docx import Document
    with zipfile.ZipFile(io.BytesIO(kit_zip)) as z:
        name = next(n for n in z.namelist() if n.endswith("撰写任务.docx"))
        doc = Document(io.BytesIO(z.read(name)))
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and heading_part in p.text)
    target = next(p for p in paragraphs[start + 1:] if not p.text.strip() and p.style.name == "Normal")
    target.add_run(SENTENCE)
    doc.save(out)


def test_first_hour_from_init_to_downloads_in_chromium(browser, tmp_path):  # noqa: F811
    import docx
    from selenium.webdriver.common.by import By
    projects = tmp_path / "projects"
    root = projects / "江南职院"
    assert main(["init", str(root)]) == 0
    config = root / "report.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("【学校全称】", "江南职业技术学院"), encoding="utf-8")
    served = Served(create_app([projects], Settings()))
    steps = Steps(browser, tmp_path / "screens")
    try:
        browser.get(served.url + "/")
        browser.find_element(By.CSS_SELECTOR, "a.project-link").click()
        wait_for(lambda: "上传文件" in body_text(browser), STEP_TIMEOUT_S, "the project page")
        assert "各部门提交情况" in body_text(browser)                    # init assigned departments
        steps.shot("project")

        # the whole-school workbook: downloaded, filled, uploaded — the office's own, not a department's
        browser.find_element(By.ID, "dl-workbook").click()
        exported = downloaded(browser.downloads, ".xlsx")
        filled = tmp_path / "全校数据.xlsx"
        fill_workbook(exported, filled, {"全日制在校生数": 5400, "专任教师数": 300, "毕业生人数": 1200})
        browser.find_element(By.ID, "files").send_keys(str(filled))
        browser.find_element(By.ID, "upload-button").click()
        wait_for(lambda: "上传结果" in body_text(browser), STEP_TIMEOUT_S, "the upload's answer")
        box = browser.find_element(By.ID, "upload-result").text
        assert "设为本项目的数据填报工作簿" in box and "--department" not in body_text(browser), box
        assert "/upload" not in browser.current_url                          # POST-redirect-GET
        browser.refresh()                                                    # no 405, the answer still there
        assert "设为本项目的数据填报工作簿" in browser.find_element(By.ID, "upload-result").text
        steps.shot("workbook-taken")

        # department kits, and one department's section back
        browser.find_element(By.ID, "kits-button").click()
        link = wait_for(lambda: browser.find_element(By.XPATH, "//a[contains(., '招生就业处任务包')]"),
                        STEP_TIMEOUT_S, "the kits")
        for old in browser.downloads.iterdir():
            old.unlink()
        link.click()
        kit = downloaded(browser.downloads, ".zip")
        section = tmp_path / "就业一节-王老师.docx"
        write_section(kit.read_bytes(), section, "毕业去向")
        browser.find_element(By.ID, "files").send_keys(str(section))
        browser.find_element(By.ID, "upload-button").click()
        wait_for(lambda: "就业一节" in browser.find_element(By.ID, "upload-result").text, STEP_TIMEOUT_S,
                 "the section's answer")
        box = browser.find_element(By.ID, "upload-result").text
        assert "已收取" in box and "招生就业处" in box, box
        steps.shot("section-collected")

        # a correction: the form shows the workbook's value and where it comes from
        browser.find_element(By.LINK_TEXT, "修改本年度指标").click()
        field = wait_for(lambda: browser.find_element(By.NAME, "v:全日制在校生数"), STEP_TIMEOUT_S, "the form")
        assert field.get_attribute("value") == "5400"
        assert "工作簿 returns/" in body_text(browser)
        field.clear()
        field.send_keys("5410")
        steps.shot("correction-typed")
        browser.find_element(By.CSS_SELECTOR, "#indicator-form button[type=submit]").click()
        wait_for(lambda: "已保存" in body_text(browser), STEP_TIMEOUT_S, "the saved answer")
        assert "全日制在校生数：5400 → 5410" in body_text(browser)
        steps.shot("correction-saved")

        # build, then the downloads
        browser.find_element(By.LINK_TEXT, "返回项目").click()
        wait_for(lambda: browser.find_element(By.ID, "build-button"), STEP_TIMEOUT_S, "the project page")
        wait_for(lambda: browser.find_element(By.ID, "build-button").is_enabled(), BUILD_TIMEOUT_S,
                 "the preview started by the correction to end")
        browser.find_element(By.ID, "build-button").click()
        wait_for(lambda: "上次生成已完成" in body_text(browser) or "上次生成未完成" in body_text(browser),
                 BUILD_TIMEOUT_S, "the build to finish")
        assert "上次生成已完成" in body_text(browser), browser.find_element(By.ID, "build").text
        browser.execute_script("document.getElementById('build').scrollIntoView()")
        steps.shot("built")
        browser.execute_script("document.getElementById('downloads').scrollIntoView()")
        labels = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a.dl-build")]
        assert len(labels) == len(set(labels)) and "初稿（Word）" in labels, labels
        assert "回收记录.json" not in browser.find_element(By.ID, "downloads").text
        steps.shot("downloads")
        for old in browser.downloads.iterdir():
            old.unlink()
        browser.find_element(By.XPATH, "//a[contains(., '初稿（Word）')]").click()
        draft = downloaded(browser.downloads, ".docx")
        text = "\n".join(p.text for p in docx.Document(str(draft)).paragraphs)
        assert "江南职业技术学院" in text and SENTENCE in text
        cells = "\n".join(c.text for t in docx.Document(str(draft)).tables for r in t.rows for c in r.cells)
        assert "5410" in cells.replace(",", "")
        browser.execute_script("document.getElementById('changes').scrollIntoView()")
        assert "没有变化" not in browser.find_element(By.ID, "changes").text
        steps.shot("changes")
    finally:
        served.stop()
    assert len(list((tmp_path / "screens").glob("*.png"))) == 8
