"""Two departments and the office at once, each in its own chromium: each department adds a row in its grid
and uploads its section; the office sees both; a department's link opens nothing else; a revoked link is
refused. The department page is saved at 1366×768 in screens/ (and in $RG_SCREENS when set)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from reportgen.web.app import Settings, create_app

from deptutil import assign_three, kit_file, rewrite_paragraph
from test_web_browser import CHROMIUM, DRIVER, STEP_TIMEOUT_S, body_text, wait_for
from test_web_department import future
from webutil import Served

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="chromium / chromedriver not installed")


@pytest.fixture
def chromes(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    made = []

    def start(name: str):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1366,768", "--lang=zh-CN",
                    f"--user-data-dir={tmp_path / ('profile-' + name)}"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
        made.append(driver)
        return driver
    try:
        yield start
    finally:
        for d in made:
            d.quit()


def shot(driver, folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    driver.save_screenshot(str(folder / f"{name}-bottom.png"))
    driver.execute_script("window.scrollTo(0, 0)")
    if os.environ.get("RG_SCREENS"):
        for p in folder.glob(f"{name}*.png"):
            shutil.copy(p, Path(os.environ["RG_SCREENS"]) / p.name)


def fill_new_row(driver, table: str, values: list[str]) -> None:
    from selenium.webdriver.common.by import By
    card = driver.find_element(By.ID, f"grid-{table}")
    card.find_element(By.CSS_SELECTOR, ".grid-add").click()
    inputs = card.find_elements(By.CSS_SELECTOR, "tbody tr:last-child input")
    for box, value in zip(inputs, values):
        box.send_keys(value)
    card.find_element(By.CSS_SELECTOR, ".grid-save").click()
    wait_for(lambda: "已保存" in card.find_element(By.CSS_SELECTOR, ".grid-msg").text, STEP_TIMEOUT_S, "the grid's save")


def paste_rows(driver, table: str, text: str) -> None:
    """Rows copied from Excel (tab-separated, CRLF) pasted into the first cell of a new row, then saved."""
    from selenium.webdriver.common.by import By
    card = driver.find_element(By.ID, f"grid-{table}")
    card.find_element(By.CSS_SELECTOR, ".grid-add").click()
    first = card.find_elements(By.CSS_SELECTOR, "tbody tr:last-child input")[0]
    driver.execute_script("""
        const data = new DataTransfer(); data.setData('text/plain', arguments[1]);
        arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    """, first, text)
    rows = card.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert rows[-1].find_elements(By.CSS_SELECTOR, "input")[2].get_attribute("value") == "省科技厅"
    card.find_element(By.CSS_SELECTOR, ".grid-save").click()
    wait_for(lambda: "改动 2 行" in card.find_element(By.CSS_SELECTOR, ".grid-msg").text, STEP_TIMEOUT_S,
             "the pasted rows' save")


def upload(driver, path: Path) -> str:
    from selenium.webdriver.common.by import By
    driver.find_element(By.ID, "dept-files").send_keys(str(path))
    driver.find_element(By.ID, "dept-upload").click()
    return wait_for(lambda: driver.find_element(By.ID, "result").text, STEP_TIMEOUT_S, "the upload's result")


def test_two_departments_and_the_office_at_once(chromes, demo, tmp_path):
    from selenium.webdriver.common.by import By
    from reportgen.departments.kit import make_kits
    assign_three(demo)
    future(demo)
    kit = make_kits(demo).output
    employment, research = tmp_path / "就业一节.docx", tmp_path / "科研一节.docx"
    rewrite_paragraph(kit_file(kit, "招生就业处", ".docx"), employment, "学校把促进毕业生高质量充分就业",
                      "学校把就业工作作为一把手工程，本年新增园区专场招聘会 12 场。")
    rewrite_paragraph(kit_file(kit, "科研处", ".docx"), research, "学校坚持“以团队聚人才",
                      "学校坚持以团队聚人才、以项目强能力，本年新立省级课题 9 项。")
    app = create_app([demo], Settings(host="0.0.0.0", warm_office=False))
    served = Served(app)
    screens = tmp_path / "screens"
    try:
        office, a, b = chromes("office"), chromes("a"), chromes("b")
        office.get(f"{served.url}/?token={app.state.rg.settings.token}")
        office.get(served.url + "/p/demo")
        links = {}
        for name in ("招生就业处", "科研处"):
            row = office.find_element(By.CSS_SELECTOR, f'#dept-live tr[data-dept="{name}"]')
            row.find_element(By.CSS_SELECTOR, "button.make-link").click()
            notice = wait_for(lambda: (lambda t: t if t.startswith(name) else None)(
                office.find_element(By.ID, "notice").text), STEP_TIMEOUT_S, "the new link")
            links[name] = re.search(r"/d/demo\?t=[\w-]+", notice).group(0)
        a.get(served.url + links["招生就业处"])
        b.get(served.url + links["科研处"])
        assert "招生就业处的填报任务" in body_text(a) and "科研处的填报任务" in body_text(b)
        assert "科研处" not in body_text(a)
        shot(a, screens, "department-page")

        fill_new_row(a, "innovation_awards", ["网页填报赛：智能分拣", "省级", "一等奖", "省教育厅"])
        fill_new_row(b, "research_projects", ["网页填报课题：产教融合评价", "李明", "省教育厅"])
        paste_rows(b, "research_projects", "粘贴课题甲\t王芳\t教育部\r\n粘贴课题乙\t赵强\t省科技厅\r\n")
        assert "已收取" in upload(a, employment)
        assert "已收取" in upload(b, research)
        shot(a, screens, "department-after-upload")

        text = (demo / "data" / "tables" / "innovation_awards.yaml").read_text(encoding="utf-8")
        assert "网页填报赛：智能分拣" in text
        research_rows = (demo / "data" / "tables" / "research_projects.yaml").read_text("utf-8")
        assert "网页填报课题：产教融合评价" in research_rows
        assert "粘贴课题甲" in research_rows and "赵强" in research_rows and "省科技厅" in research_rows

        def office_sees_both():
            office.get(served.url + "/p/demo")
            page = body_text(office)
            states = [office.find_element(By.CSS_SELECTOR, f'#dept-live tr[data-dept="{n}"] .st').text
                      for n in ("招生就业处", "科研处")]
            return ("网页填报赛：智能分拣" in page and "网页填报课题：产教融合评价" in page
                    and all(s.startswith(("已交回", "部分交回")) for s in states))
        wait_for(office_sees_both, STEP_TIMEOUT_S, "the office to see both departments")
        shot(office, screens, "office-departments")

        for path in ("/d/demo/grid/research_projects", "/p/demo", "/p/demo/workbook", "/",
                     "/p/demo/departments.json"):
            a.get(served.url + path)
            assert "没有访问权限" in body_text(a) or "不属于本部门" in body_text(a), path

        row = office.find_element(By.CSS_SELECTOR, '#dept-live tr[data-dept="科研处"]')
        row.find_element(By.CSS_SELECTOR, "button.revoke-link").click()
        wait_for(lambda: "已撤销" in office.find_element(By.ID, "notice").text, STEP_TIMEOUT_S, "the revoke")
        b.get(served.url + "/d/demo")
        assert "已撤销" in body_text(b) and "科研处的填报任务" not in body_text(b)
    finally:
        served.stop()
