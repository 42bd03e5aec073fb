"""A section .docx uploaded on the page of a project without department kits: the page asks which section it is,
places it (the section's previous text kept under returns/), says what is wrong, and the draft carries it."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from starlette.testclient import TestClient

from reportgen.cli import main
from reportgen.load.word import read_word_section
from reportgen.errors import Problems
from reportgen.web.app import Settings, create_app

from seedtables import SEEDS
from webutil import csrf_of, text_of

LOCAL = "http://127.0.0.1"
EMPLOYMENT = "talent/employment"
NEW_TEXT = "本年度学校新开设就业指导工作坊十二场，邀请合作企业人事主管走进课堂讲解求职要点。"


@pytest.fixture
def project(demo) -> Path:
    """The demo without department kits (the case this page serves)."""
    import yaml
    config = yaml.safe_load((demo / "report.yaml").read_text(encoding="utf-8"))
    if "departments" in config:
        del config["departments"]
        (demo / "report.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return demo


@pytest.fixture
def client(project):
    app = create_app([project], Settings(warm_office=False))
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def csrf(client):
    return csrf_of(client.get("/p/demo").text)


def docx_bytes(heading: str | None, *paragraphs: str) -> bytes:
    d = Document()
    if heading:
        d.add_heading(heading, level=1)
    for text in paragraphs:
        d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def upload(client, csrf, name: str, data: bytes):
    r = client.post("/p/demo/upload", data={"csrf": csrf}, files={"files": (name, data, "application/octet-stream")})
    assert r.status_code == 200, text_of(r.text)
    return r


def question(html: str) -> tuple[str, dict[str, str], str]:
    """The kept file's name in returns/, the offered sections (key → label) and the pre-selected key."""
    form = re.search(r'<form method="post" action="/p/demo/section".*?</form>', html, re.S)
    assert form, "the page does not ask which section the Word file is"
    assert "这份 Word 是哪一节？" in form.group(0)
    name = re.search(r'name="file" value="([^"]+)"', form.group(0)).group(1)
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', form.group(0)))
    chosen = re.search(r'<option value="([^"]*)" selected', form.group(0))
    return name, options, chosen.group(1) if chosen else ""


def result_of(html: str) -> str:
    start = html.index('id="upload-result"')
    return text_of(html[start:html.index("</section>", start)])


def heading_of(md: Path) -> str:
    return next(line[3:].strip() for line in md.read_text(encoding="utf-8").splitlines() if line.startswith("## "))


def section_paragraphs(draft: Path, chapter: str, title: str) -> list[str]:
    """The paragraphs of the draft's section `title` (under chapter `chapter`), up to the next heading of its level."""
    paras = Document(str(draft)).paragraphs
    level = lambda p: int(m.group(1)) if (m := re.match(r"Heading (\d)", p.style.name)) else 0   # noqa: E731
    in_chapter, out, start = False, [], None
    for i, p in enumerate(paras):
        if level(p) == 1:
            in_chapter = chapter in p.text
        if start is None and in_chapter and level(p) > 1 and p.text.endswith(title):
            start = i
            continue
        if start is not None:
            if 0 < level(p) <= level(paras[start]):
                break
            out.append(p.text)
    assert start is not None, f"the draft has no section “{title}” under “{chapter}”"
    return out


def follows(draft: Path, chapter: str, title: str, before: str) -> bool:
    """Whether the draft's section `title` comes right after the section `before` in chapter `chapter`."""
    heads, in_chapter = [], False
    for p in Document(str(draft)).paragraphs:
        if p.style.name == "Heading 1":
            in_chapter = chapter in p.text
        elif in_chapter and p.style.name == "Heading 2":
            heads.append(p.text)
    at = [i for i, h in enumerate(heads) if h.endswith(before)]
    return bool(at) and at[0] + 1 < len(heads) and heads[at[0] + 1].endswith(title)


def build_draft(project: Path) -> Path:
    assert main(["build", str(project)]) == 0
    drafts = [p for p in (project / "build").glob("*.docx") if p.name != "修改说明.docx"]
    assert len(drafts) == 1
    return drafts[0]


# ------------------------------------------------------------------ asked, placed, built
def test_uploaded_section_is_asked_for_placed_and_in_the_draft(client, project, csrf):
    md = project / "narrative" / "talent" / "04-employment.md"
    before = md.read_bytes()
    r = upload(client, csrf, "就业一节.docx", docx_bytes("就业指导与毕业去向", NEW_TEXT))
    name, options, chosen = question(r.text)
    assert (project / "returns" / name).is_file()
    assert f"已保存为 returns/{name}" in result_of(r.text)
    # the report's sections as the draft heads them, the one named like the file's heading pre-selected
    assert options[EMPLOYMENT] == f"人才培养 › {heading_of(md)}"
    assert options["preface/overview"] == "前言"
    assert len(options) >= 25
    assert chosen == EMPLOYMENT
    assert md.read_bytes() == before                       # nothing placed before the office says where

    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": EMPLOYMENT})
    assert r.status_code == 200, text_of(r.text)
    said = result_of(r.text)
    placed = project / "narrative" / "talent" / "04-employment.docx"
    assert "narrative/talent/04-employment.docx" in said and "没有丢失" in said
    assert "初稿中本节的标题为“就业指导与毕业去向”" in said
    assert placed.read_bytes() == (project / "returns" / name).read_bytes()
    assert not md.exists()
    kept = re.search(r"保存在 (returns/\S+?\.md)", said).group(1)
    assert (project / kept).read_bytes() == before and "替换前" in kept

    draft = build_draft(project)
    text = section_paragraphs(draft, "人才培养", "就业指导与毕业去向")
    assert NEW_TEXT in text
    assert follows(draft, "人才培养", "就业指导与毕业去向", heading_of(project / "narrative/talent/03-teaching.md"))


def test_a_second_file_for_the_same_section_keeps_the_first(client, project, csrf):
    names = []
    for text in ("第一份稿子的文字。", "第二份稿子的文字。"):
        name, *_ = question(upload(client, csrf, "就业.docx", docx_bytes("就业指导与毕业去向", text)).text)
        r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": EMPLOYMENT})
        assert r.status_code == 200, text_of(r.text)
        names.append(name)
    placed = project / "narrative" / "talent" / "04-employment.docx"
    assert placed.read_bytes() == (project / "returns" / names[1]).read_bytes()
    kept = sorted((project / "returns").rglob("04-employment.*"))
    assert sorted(p.suffix for p in kept) == [".docx", ".md"]
    assert any(p.read_bytes() == (project / "returns" / names[0]).read_bytes() for p in kept)
    # the same file again changes nothing
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": names[1], "section": EMPLOYMENT})
    assert r.status_code == 200 and "没有改动" in result_of(r.text)
    assert len(list((project / "returns").rglob("04-employment.*"))) == 2


def test_a_file_without_heading_is_matched_by_name_and_keeps_the_section_title(client, project, csrf):
    md = project / "narrative" / "service" / "04-training.md"
    title = heading_of(md)
    r = upload(client, csrf, "社会培训.docx", docx_bytes(None, "全年开展各类社会培训，服务企业职工和社区居民。"))
    name, options, chosen = question(r.text)
    assert chosen == "service/training"
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": chosen})
    assert r.status_code == 200, text_of(r.text)
    assert f"已在开头加上本节原来的标题“{title}”" in result_of(r.text)
    placed = project / "narrative" / "service" / "04-training.docx"
    section = read_word_section(placed, Problems())
    assert section.markdown.splitlines()[0] == f"## {title}"
    assert "全年开展各类社会培训" in section.markdown


def test_nothing_alike_is_not_pre_selected(client, csrf):
    _, options, chosen = question(upload(client, csrf, "scan0001.docx", docx_bytes(None, "一段文字。")).text)
    assert chosen == "" and options


def test_problems_of_the_placed_section_are_located_by_paragraph(client, project, csrf):
    data = docx_bytes("就业指导与毕业去向", NEW_TEXT, "图 1 毕业生在招聘会现场")     # a caption with no picture
    name, *_ = question(upload(client, csrf, "就业.docx", data).text)
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": EMPLOYMENT})
    said = result_of(r.text)
    assert "文件 narrative/talent/04-employment.docx › 第 3 段" in said
    assert "像是图注" in said


# ------------------------------------------------------------------ input nobody here wrote
def seed_section(seeds: Path) -> list[str] | None:
    """A （N）… section of a published report (its heading and first paragraphs), as typed in the seed text."""
    heading = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\S{4,30}$")
    for seed in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        lines = [ln.strip() for ln in seed.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for i, line in enumerate(lines):
            body = []
            for nxt in lines[i + 1:i + 6]:
                if heading.match(nxt):
                    break
                body.append(nxt)
            if heading.match(line) and sum(len(b) >= 40 for b in body) >= 1:
                return [line] + body
    return None


def test_a_seed_section_saved_by_libreoffice_goes_into_the_draft(client, project, csrf, tmp_path):
    soffice = shutil.which("soffice")
    chunk = seed_section(SEEDS)
    if soffice is None or chunk is None:
        pytest.skip("needs LibreOffice (soffice) and a seed report in shared/seeds")
    txt = tmp_path / "seed-section.txt"
    txt.write_text("\n\n".join(chunk) + "\n", encoding="utf-8")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--infilter=Text (encoded):UTF8", "--convert-to", "docx:MS Word 2007 XML",
                    "--outdir", str(tmp_path / "lo"), str(txt)], check=True, capture_output=True, timeout=180)
    saved = tmp_path / "lo" / "seed-section.docx"
    r = upload(client, csrf, "学校发来的一节.docx", saved.read_bytes())
    name, options, _ = question(r.text)
    title = re.sub(r"^[（(][一二三四五六七八九十]+[）)]", "", chunk[0])
    assert f"第一个标题：“{title}”" in text_of(r.text)
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": EMPLOYMENT})
    assert r.status_code == 200, text_of(r.text)
    draft = build_draft(project)
    text = "".join(section_paragraphs(draft, "人才培养", title))
    longest = max(chunk[1:], key=len)
    assert re.sub(r"\s+", "", longest) in re.sub(r"\s+", "", text)
    assert follows(draft, "人才培养", title, heading_of(project / "narrative/talent/03-teaching.md"))


# ------------------------------------------------------------------ refusals
def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("file, section, said", [
    ("", EMPLOYMENT, "returns/ 中没有"),
    ("nope.docx", EMPLOYMENT, "returns/ 中没有"),
    ("../report.yaml", EMPLOYMENT, "returns/ 中没有"),
    ("../narrative/talent/01-party.md", EMPLOYMENT, "returns/ 中没有"),
    ("..\\..\\report.yaml", EMPLOYMENT, "returns/ 中没有"),
    ("/etc/passwd", EMPLOYMENT, "returns/ 中没有"),
    ("outside.docx", EMPLOYMENT, "returns/ 中没有"),          # a link in returns/ to a file outside
    ("book.xlsx", EMPLOYMENT, "returns/ 中没有"),
    ("KEPT", "talent/nope", "本报告没有这一节"),
    ("KEPT", "", "本报告没有这一节"),
    ("KEPT", "../../report", "本报告没有这一节"),
    ("broken.docx", EMPLOYMENT, "无法读取"),
])
def test_refusals_are_clean_and_change_nothing(client, project, csrf, tmp_path, file, section, said):
    name, *_ = question(upload(client, csrf, "就业.docx", docx_bytes("就业指导与毕业去向", NEW_TEXT)).text)
    outside = tmp_path / "outside.docx"
    outside.write_bytes(docx_bytes("就业指导与毕业去向", "外面的文件。"))
    (project / "returns" / "outside.docx").symlink_to(outside)
    (project / "returns" / "book.xlsx").write_bytes(b"PK")
    (project / "returns" / "broken.docx").write_bytes(b"PK\x03\x04 not really a Word file")
    before = files_under(project)
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name if file == "KEPT" else file,
                                             "section": section})
    assert r.status_code == 400, text_of(r.text)
    assert said in text_of(r.text) and "Traceback" not in r.text
    assert files_under(project) == before


def test_without_the_csrf_token_nothing_is_placed(client, project, csrf):
    name, *_ = question(upload(client, csrf, "就业.docx", docx_bytes("就业指导与毕业去向", NEW_TEXT)).text)
    before = files_under(project)
    for data in ({"file": name, "section": EMPLOYMENT}, {"csrf": "forged", "file": name, "section": EMPLOYMENT}):
        r = client.post("/p/demo/section", data=data)
        assert r.status_code == 403 and "校验码" in r.text
    assert files_under(project) == before


def test_a_section_with_no_text_yet_gets_its_file_in_pack_order(client, project, csrf):
    (project / "narrative" / "service" / "05-rural.md").unlink()
    name, options, chosen = question(upload(client, csrf, "服务乡村振兴.docx",
                                            docx_bytes("服务乡村振兴", "派出科技特派员深入乡村。")).text)
    assert chosen == "service/rural" and options[chosen] == "服务贡献 › 服务乡村振兴"     # the pack's title
    r = client.post("/p/demo/section", data={"csrf": csrf, "file": name, "section": chosen})
    assert r.status_code == 200 and "本节此前没有文字" in result_of(r.text)
    assert (project / "narrative" / "service" / "05-rural.docx").is_file()
