"""Chart images (PNG) through kaleido 1.x and Debian's Chromium.

The browser starts once per process (kaleido's sync server, no MathJax): the first image waits
~2 s for it, later ones take ~0.2 s (the WebGL light map ~1.6 s).
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import zipfile

import kaleido
import plotly.graph_objects as go

from xzcore.errors import XZError
from xzcore.report import plots
from xzcore.report.model import Bulletin

WIDTH = 900  # px; about the width of an A4 page's text at 96 dpi, so type keeps its size
SCALE = 2  # sharp in print and when a slide is zoomed

# kaleido's sync server hands results back through one queue: two sessions asking at once could
# receive each other's images. One caller at a time, for the whole process.
_RENDERING = threading.Lock()


class ImagesFailed(XZError):
    pass


def _browser() -> str:
    path = (
        os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        raise ImagesFailed("找不到 Chromium 浏览器，无法生成图表图片（请安装 Debian 的 chromium）")
    return path


def render(named: dict[str, go.Figure]) -> dict[str, bytes]:
    """name → PNG bytes of each figure, in order."""
    with _RENDERING:
        # a no-op when the server already runs in this process
        kaleido.start_sync_server(mathjax=False, path=_browser(), timeout=60, silence_warnings=True)
        opts = {"format": "png", "width": WIDTH, "scale": SCALE}
        try:
            return {name: kaleido.calc_fig_sync(fig, opts=opts) for name, fig in named.items()}
        except Exception as exc:  # kaleido raises its own, choreographer's or a timeout
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ImagesFailed(f"生成图表图片失败（{first}）") from exc


def files(pngs: dict[str, bytes]) -> dict[str, bytes]:
    """Chart name → PNG as files: 01_各责任单位投资完成率.png …"""
    return {f"{name}.png": png for name, png in pngs.items()}


def chart_images(b: Bulletin) -> dict[str, bytes]:
    """File name → PNG bytes of every chart of the bulletin."""
    return files(render(plots.figures(b)))


def zip_bytes(images: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    # PNG is compressed already: stored, not deflated again
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in images.items():
            archive.writestr(name, data)
    return buffer.getvalue()
