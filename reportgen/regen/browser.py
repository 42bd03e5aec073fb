"""What departments changed in the browser since the last build, for the build's change report.

The web page appends one JSON line per changed row (who, when, what, before, after) to
returns/网页修改记录.jsonl and never rewrites it; a build lists the lines written after the previous build."""
from __future__ import annotations

import json
import time
from pathlib import Path

BROWSER_LOG = Path("returns") / "网页修改记录.jsonl"


def browser_changes_since(root: Path, since: float | None) -> list[str]:
    """The browser changes recorded after `since` (the previous build's time), one line each."""
    try:
        lines = (root / BROWSER_LOG).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    cutoff = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since)) if since else ""
    for line in lines:
        try:
            c = json.loads(line)
        except ValueError:
            continue
        if not isinstance(c, dict) or str(c.get("when", "")) < cutoff:
            continue
        before, after = c.get("before"), c.get("after")
        action = "新增" if not before else "删除" if not after else "修改"
        shown = "；".join(f"{k}: {v}" for k, v in _row(after or before).items())
        was = "" if action != "修改" else "（原为 " + "；".join(
            f"{k}: {v}" for k, v in _row(before).items() if _row(after).get(k) != v) + "）"
        out.append(f"{c.get('when')} {c.get('who')} 在网页上{action}{c.get('what')}一行：{shown}{was}")
    return out


def _row(item) -> dict:
    return item if isinstance(item, dict) else {}
