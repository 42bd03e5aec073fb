"""The web page in a real browser (Debian's chromium through chromedriver), the way an office uses it:
home → the demo project → upload a workbook with one wrong cell → the problem shows with its sheet and cell →
upload the corrected workbook → build → the .docx downloads and reopens → the preview shows page images.
A screenshot of each step is saved in the test's temp folder (screens/), at 1366×768."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from reportgen.web.app import Settings, create_app

from webutil import Served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("CI must have chromium and chromedriver (.ci/run installs them)")
    pytest.skip("chromium / chromedriver not installed", allow_module_level=True)

STEP_TIMEOUT_S = 120
BUILD_TIMEOUT_S = 600            # the whole report, its PDF and every page preview, on a busy 2-core machine


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1366,768", "--lang=zh-CN",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


class Steps:
    """Screenshots named by step: screens/01-home.png …"""

    def __init__(self, driver, folder: Path):
        self.driver, self.folder, self.n = driver, folder, 0
        folder.mkdir()

    def shot(self, name: str) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def wait_for(check, timeout: float, what: str):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except (NoSuchElementException, StaleElementReferenceException):     # the page is being replaced
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def downloaded(folder: Path, suffix: str, timeout: float = STEP_TIMEOUT_S) -> Path:
    return wait_for(lambda: next((p for p in folder.iterdir() if p.suffix == suffix), None), timeout,
                    f"a {suffix} download")


def body_text(driver) -> str:
    from selenium.webdriver.common.by import By
    return driver.find_element(By.TAG_NAME, "body").text


def test_office_flow_in_chromium(browser, demo, tmp_path):
    import docx
    import openpyxl
    from selenium.webdriver.common.by import By
    served = Served(create_app([demo], Settings()))
    steps = Steps(browser, tmp_path / "screens")
    try:
        browser.get(served.url + "/")
        assert "江州职业技术学院" in body_text(browser)
        steps.shot("home")

        browser.find_element(By.CSS_SELECTOR, "a.project-link").click()
        wait_for(lambda: "上传文件" in body_text(browser), STEP_TIMEOUT_S, "the project page")
        steps.shot("project")

        # the fill-in workbook as the office gets it, filled in with one wrong cell
        browser.find_element(By.ID, "dl-workbook").click()
        exported = downloaded(browser.downloads, ".xlsx")
        wb = openpyxl.load_workbook(exported)
        ws = wb["指标"]
        year_col = next(c.column_letter for c in ws[1] if c.value == 2024)
        row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "毕业生人数")
        cell = f"{year_col}{row}"
        ws[cell] = "5千4"
        wrong = tmp_path / "招生就业处-填报.xlsx"
        wb.save(wrong)
        ws[cell] = 5400
        corrected = tmp_path / "招生就业处-填报-改正.xlsx"
        wb.save(corrected)

        browser.find_element(By.ID, "files").send_keys(str(wrong))
        browser.find_element(By.ID, "upload-button").click()
        wait_for(lambda: "上传结果" in body_text(browser), STEP_TIMEOUT_S, "the upload's answer")
        problems = browser.find_element(By.ID, "problems").text
        assert f"招生就业处-填报.xlsx › 工作表“指标” › 单元格 {cell}" in problems and "5千4" in problems
        browser.execute_script("document.getElementById('problems').scrollIntoView()")
        steps.shot("wrong-cell-shown")
        assert not browser.find_element(By.ID, "build-button").is_enabled()     # not with an error in the data

        browser.find_element(By.ID, "files").send_keys(str(corrected))
        browser.find_element(By.ID, "upload-button").click()
        wait_for(lambda: "招生就业处-填报-改正.xlsx" in browser.find_element(By.ID, "upload-result").text,
                 STEP_TIMEOUT_S, "the corrected upload's answer")
        assert "项目数据校验通过" in browser.find_element(By.ID, "upload-result").text
        assert "工作表“指标”" not in browser.find_element(By.ID, "problems").text
        steps.shot("corrected")

        browser.find_element(By.ID, "build-button").click()
        wait_for(lambda: browser.find_elements(By.ID, "job-bar") or "上次生成" in body_text(browser),
                 STEP_TIMEOUT_S, "the progress bar")
        steps.shot("building")
        wait_for(lambda: "上次生成已完成" in body_text(browser) or "上次生成未完成" in body_text(browser),
                 BUILD_TIMEOUT_S, "the build to finish")
        assert "上次生成已完成" in body_text(browser), browser.find_element(By.ID, "build").text
        browser.execute_script("document.getElementById('build').scrollIntoView()")
        steps.shot("built")

        for old in browser.downloads.iterdir():
            old.unlink()
        link = browser.find_element(By.XPATH, "//a[contains(., '初稿（Word）')]")
        link.click()
        draft = downloaded(browser.downloads, ".docx")
        time.sleep(0.5)                                   # chromium renames the finished download
        text = "\n".join(p.text for p in docx.Document(str(draft)).paragraphs)
        assert "江州职业技术学院" in text and "5400" in text.replace(",", "")

        browser.execute_script("document.getElementById('preview').scrollIntoView()")
        thumbs = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".thumbs img"), STEP_TIMEOUT_S,
                          "page thumbnails")
        assert len(thumbs) > 10
        wait_for(lambda: browser.execute_script(
            "return Array.from(document.querySelectorAll('.thumbs img')).slice(0, 6)"
            ".every(i => i.complete && i.naturalWidth > 300)"), STEP_TIMEOUT_S, "thumbnails drawn")
        steps.shot("preview")
        thumbs[0].click()
        wait_for(lambda: browser.execute_script(
            "const i = document.querySelector('.page img'); return i && i.complete && i.naturalWidth > 300"),
            STEP_TIMEOUT_S, "a page image")
        assert "第 1 /" in body_text(browser)
        steps.shot("page")
    finally:
        served.stop()
    assert len(list((tmp_path / "screens").glob("*.png"))) == 8


def test_a_word_section_is_placed_in_chromium(browser, demo, tmp_path):
    """Without department kits: upload a section .docx → 这份 Word 是哪一节？ with the matching section chosen →
    放入这一节 → what changed and what is wrong (文件 › 第 N 段)."""
    import docx
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    section = tmp_path / "就业工作总结.docx"
    d = docx.Document()
    d.add_heading("就业指导与毕业去向", level=1)
    d.add_paragraph("本年度学校新开设就业指导工作坊十二场。")
    d.add_paragraph("图 1 毕业生在招聘会现场")                 # a caption with no picture above it
    d.save(section)
    from deptutil import drop_departments
    drop_departments(demo)                                  # the demo assigns its sections to departments
    served = Served(create_app([demo], Settings(warm_office=False)))
    steps = Steps(browser, tmp_path / "screens")
    try:
        browser.get(served.url + "/p/demo")
        browser.find_element(By.ID, "files").send_keys(str(section))
        browser.find_element(By.ID, "upload-button").click()
        wait_for(lambda: "这份 Word 是哪一节？" in body_text(browser), STEP_TIMEOUT_S, "the question")
        chosen = Select(browser.find_element(By.CSS_SELECTOR, "#place-1 select")).first_selected_option
        assert chosen.get_attribute("value") == "talent/employment" and chosen.text.startswith("人才培养 › ")
        steps.shot("which-section")
        browser.find_element(By.CSS_SELECTOR, "#place-1 button").click()
        wait_for(lambda: "已把" in browser.find_element(By.ID, "upload-result").text, STEP_TIMEOUT_S, "the placing")
        result = browser.find_element(By.ID, "upload-result").text
        assert "narrative/talent/04-employment.docx" in result and "没有丢失" in result
        assert "文件 narrative/talent/04-employment.docx › 第 3 段" in result
        steps.shot("section-placed")
        assert (demo / "narrative" / "talent" / "04-employment.docx").is_file()
    finally:
        served.stop()
