"""The bulletin as a PDF: HTML with bulletin.css, set by WeasyPrint, charts as embedded PNGs.

Every text that can come from the database (names, units, reasons) is HTML-escaped, so a
project called <script>…</script> or **粗体** prints as typed.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import weasyprint

from xzcore.report import images, plots
from xzcore.report.model import Bulletin, Table, text

CSS = Path(__file__).with_name("bulletin.css")
_NAMES = plots.NAMES

# heading, the words under it, its tables (by sheet), its charts (by name)
SECTIONS = (
    ("一、总体情况", lambda b: b.paragraphs, ("总体",), _NAMES[:1]),
    ("二、各责任单位投资完成情况", lambda b: (b.unit_words,), ("按责任单位",), _NAMES[1:2]),
    ("三、各镇街道投资完成情况", lambda b: (b.township_words,), ("按镇街道",),
     (_NAMES[2], _NAMES[3], _NAMES[5])),
    ("四、亮灯情况", lambda b: (), ("黄红灯项目", "亮灯变化"), _NAMES[4:5]),
    ("五、红旗项目", lambda b: (), ("红旗项目",), ()),
    ("六、预警（蜗牛）项目", lambda b: (), ("预警项目",), ()),
    ("七、逾期未办结问题", lambda b: (), ("逾期未办结问题",), ()),
    ("八、节点（倒排工期）", lambda b: (), ("超期节点",), ()),
)  # fmt: skip

# inline (bulletin.css is shared): a 未发布 line in red, a correction in a box
_WARN = "color:#b71c1c;font-weight:bold;text-align:center;border:1.5pt solid #b71c1c;padding:2mm"
_BOX = "border:0.8pt solid #888;background:#f6f6f6;padding:2mm 3mm"

_ALIGN = {"text": "", "light": "light", "count": "num", "wan": "num", "rate": "num", "pp": "num",
          "alert": "light"}  # fmt: skip
# a problem's colour on its symbol and word (bulletin.css styles the lights only)
_ALERTS = {"红": "color:#8a1c14;background:#fde2e1", "黄": "color:#7a4b00;background:#fff1d6",
           "蓝": "color:#17457a;background:#e1ecfb"}  # fmt: skip


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _cell(kind: str, value) -> str:
    classes = _ALIGN[kind] + (f" {value}" if kind == "light" and value else "")
    attr = f' class="{classes.strip()}"' if classes.strip() else ""
    if kind == "alert" and value in _ALERTS:
        attr += f' style="{_ALERTS[value]}"'
    return f"<td{attr}>{_e(text(kind, value))}</td>"


def table_html(table: Table, heading: bool) -> str:
    parts = [f"<h3>{_e(table.title)}</h3>"] if heading else []
    if table.note:
        parts.append(f'<p class="note">{_e(table.note)}</p>')
    if not table.rows:
        parts.append(f'<p class="empty">{_e(table.empty)}</p>')
        return "\n".join(parts)
    keep = table.pdf_columns()
    # a unit in brackets goes under its header: headers stay short, cells keep their width
    head = "".join(f"<th>{_e(table.columns[i].title).replace('（', '<br>（')}</th>" for i in keep)
    body = "\n".join(
        "<tr>" + "".join(_cell(table.columns[i].kind, row[i]) for i in keep) + "</tr>"
        for row in table.rows
    )
    parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>")
    return "\n".join(parts)


def _figure(name: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{_e(plots.title(name))}"></figure>'
    )


def document(b: Bulletin, pngs: dict[str, bytes]) -> str:
    """The bulletin as one HTML page; pngs: chart name → PNG (plots.NAMES)."""
    parts = [f"<h1>{_e(b.heading)}</h1>", f'<p class="stamp">{_e(b.stamp)}</p>']
    if b.banner:  # every page's running head repeats the heading (bulletin.css); this stands out
        parts.append(f'<p class="unpublished" style="{_WARN}">{_e(b.banner)}：数据收集中，'
                     "不是发布数；未报送的项目按上月累计计列，标注未报送。</p>")  # fmt: skip
    if b.correction:
        parts.append(f'<p class="correction" style="{_BOX}">{_e(b.correction)}</p>')
    for heading, words, sheets, charts in SECTIONS:
        parts.append(f"<h2>{_e(heading)}</h2>")
        parts.extend(f"<p>{_e(w)}</p>" for w in words(b))
        for sheet in sheets:
            # a section's only table is what its heading names; several carry their titles
            parts.append(table_html(b.tables[sheet], heading=len(sheets) > 1))
        parts.extend(_figure(name, pngs[name]) for name in charts if name in pngs)
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(b.heading)}</title></head><body>\n" + "\n".join(parts) + "\n</body></html>"
    )


def tables_pdf(heading: str, stamp: str, tables: tuple[Table, ...], *, landscape=False) -> bytes:
    """A PDF of tables alone, set as the bulletin is (for lists such as 待协调问题清单):
    the heading, the stamp under it, each table under its own title."""
    parts = [f"<h1>{_e(heading)}</h1>", f'<p class="stamp">{_e(stamp)}</p>']
    parts += [table_html(t, heading=len(tables) > 1) for t in tables]
    page = weasyprint.HTML(
        string='<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_e(heading)}</title></head><body>\n" + "\n".join(parts) + "\n</body></html>"
    )
    sheets = [weasyprint.CSS(filename=str(CSS))]
    if landscape:  # wide lists of text: more columns fit across
        sheets.append(weasyprint.CSS(string="@page { size: A4 landscape; }"))
    return page.write_pdf(stylesheets=sheets)


def pdf_bytes(b: Bulletin, pngs: dict[str, bytes] | None = None) -> bytes:
    """The PDF; the charts are rendered here unless given (name → PNG, as images.render)."""
    if pngs is None:
        pngs = images.render(plots.figures(b))
    page = weasyprint.HTML(string=document(b, pngs))
    return page.write_pdf(stylesheets=[weasyprint.CSS(filename=str(CSS))])
