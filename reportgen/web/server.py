"""`reportgen serve`: start the web page for the given projects and say where to open it."""
from __future__ import annotations

import logging
from pathlib import Path

from ..errors import UsageError
from .app import Settings, create_app, is_local


def start_url(settings: Settings) -> str:
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    if settings.host in ("0.0.0.0", "::"):
        host = "本机地址"                       # any interface: the office uses the machine's address
    url = f"http://{host}:{settings.port}/"
    return url + (f"?token={settings.token}" if settings.token else "")


def serve(dirs: list[Path], host: str, port: int, echo=print) -> None:
    import uvicorn
    dirs = dirs or [Path.cwd()]
    for d in dirs:
        if not d.exists():
            raise UsageError(f"文件夹不存在：{d}")
    settings = Settings(host=host, port=port)
    app = create_app(dirs, settings)
    projects = app.state.rg.registry.roots
    echo(f"共 {len(projects)} 个报告项目：" + "、".join(str(p) for p in projects.values()) if projects
         else "没有找到报告项目（含 report.yaml 的文件夹）；页面上会说明如何新建。")
    echo(f"请在浏览器中打开：{start_url(settings)}")
    if not is_local(host):
        echo("注意：本服务可被其他电脑访问，必须使用上面含访问口令（token）的网址；请勿把它发给无关人员。")
    echo("关闭此窗口或按 Ctrl+C 即停止服务。")
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except OSError as e:
        raise UsageError(f"无法在 {host}:{port} 上启动（端口可能已被占用）：{e.strerror}；可用 --port 换一个端口") from None
