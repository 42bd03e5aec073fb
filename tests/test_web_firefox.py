"""The web page in Firefox too (Debian's firefox-esr, headless --screenshot: no driver needed).

Offices use Chromium-based browsers or Firefox. Each page is drawn at 1366×768 and saved in the test's
temp folder (firefox/); the test checks the page came through with its stylesheet (the header bar and the
page background in the colours style.css gives them) and is not blank."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from reportgen.web.app import Settings, create_app

from webutil import Served

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
if not FIREFOX:
    if os.environ.get("CI"):
        raise RuntimeError("CI must have firefox-esr (.ci/run installs it)")
    pytest.skip("firefox not installed", allow_module_level=True)

STYLE = Path(__file__).resolve().parent.parent / "reportgen" / "web" / "static" / "style.css"
PAGES = {"home": "/", "project": "/p/demo", "indicators": "/p/demo/indicators"}


def colour(rule: str, prop: str = "background") -> tuple[int, int, int]:
    """A colour style.css gives `prop` in the rule for `rule`, as RGB."""
    m = re.search(re.escape(rule) + r"\s*\{[^}]*?\b" + prop + r":\s*#([0-9a-fA-F]{6})", STYLE.read_text(encoding="utf-8"))
    assert m, f"{rule} {prop} not in style.css"
    return tuple(int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4))


def screenshot(url: str, out: Path, profile: Path) -> Image.Image:
    profile.mkdir(exist_ok=True)
    subprocess.run([FIREFOX, "--headless", "--no-remote", "--profile", str(profile), "--window-size=1366,768",
                    "--screenshot", str(out), url], check=True, timeout=120, capture_output=True)
    return Image.open(out).convert("RGB")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_draw_in_firefox_at_laptop_size(demo, tmp_path, name):
    served = Served(create_app([demo], Settings(warm_office=False)))
    try:
        shot = screenshot(served.url + PAGES[name], tmp_path / "firefox" / f"{name}.png", tmp_path / "profile")
    finally:
        served.stop()
    assert shot.size == (1366, 768)
    assert shot.getpixel((3, 3)) == colour("header.top")          # the page's own header bar, styled
    assert shot.getpixel((3, 400)) == colour("body")               # page background: the stylesheet loaded
    assert len(shot.getcolors(maxcolors=1 << 16) or []) > 200      # text and tables drawn, not a blank page
