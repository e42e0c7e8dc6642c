"""What a user sees on a page in the browser, read for Latin words (issue 14 item 11), and the
phone's layout helpers: shared by tests/test_browser_latin.py and tests/test_browser_phone.py.

"Sees" means: the text of visible elements, the tooltips a hover shows (Plotly's toolbar draws
its button's data-title in ::after; Streamlit's tooltips are elements), a title attribute of a
visible element (the browser shows it on hover) and the placeholder of an empty visible input.
Hidden elements (display:none, visibility:hidden) and icon ligatures (Material icons are text
such as "dashboard" drawn as a picture) are not seen.
"""

from __future__ import annotations

import re

import duckdb
from playwright.sync_api import TimeoutError as PlaywrightTimeout

LATIN = re.compile(r"[A-Za-z]{2,}")

# Latin words the product itself writes, each unavoidable:
ALLOWED = {  # compared without case
    # file formats and sizes, named as every office names them (CSV、xlsx、xls，最大 20 MB)
    "csv",
    "xlsx",
    "xls",
    "pdf",
    "png",
    "zip",
    "mb",
    "kb",  # the size Streamlit writes beside a chosen file (11.9KB)
    "excel",
    # the map's credit, as its licence (CC BY 4.0) asks the author to be named: Vonng/adcode
    "vonng",
    "adcode",
    "cc",
    "by",
}

_SCAN = """() => {
  const seen = [];
  const hidden = (el) => !el.checkVisibility({opacityProperty: false, visibilityProperty: true})
    || getComputedStyle(el).fontSize === '0px'  // text a style replaced (screen.css)
    || el.closest('script, style, noscript, [data-testid="stIconMaterial"]')
    || getComputedStyle(el).fontFamily.includes('Material Symbols');  // an icon drawn from text
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim() || hidden(el)) continue;
    seen.push(node.textContent.trim());
  }
  // text a style puts before or after an element (a relabelled button, a skip link)
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    for (const part of ['::before', '::after']) {
      const content = getComputedStyle(el, part).content;
      if (content && content.startsWith('"') && content.length > 2) seen.push(content.slice(1, -1));
    }
  }
  for (const el of document.querySelectorAll('[title]')) {
    if (!hidden(el) && el.getAttribute('title')) seen.push(el.getAttribute('title'));
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (hidden(el) || el.value) continue;
    const select = el.closest('[data-baseweb="select"]');
    if (select && select.innerText.trim()) continue;  // a chosen value covers the placeholder
    seen.push(el.getAttribute('placeholder'));
  }
  return seen;
}"""


def data_words(db_path) -> set[str]:
    """Every Latin word in the database's text: names, codes, file names, user names are data.
    Hashes and session tokens are left out: nobody sees them, and their random letters would
    let words such as "in" or "to" through."""
    words: set[str] = set()
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type = 'VARCHAR' AND NOT regexp_matches(column_name, 'hash|sha|token')"
        ).fetchall()
        for table, column in columns:
            rows = con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall()
            for (value,) in rows:
                if value:
                    words.update(LATIN.findall(value))
    return words


def seen_texts(page) -> list[str]:
    return page.evaluate(_SCAN)


# Plotly's toolbar tooltip is its button's ::after, `content: attr(data-title)` (relabelled by
# ui/screen.css), which a hover only turns from display:none to block: the text a hover shows is
# the computed content, read here for every visible button of every visible chart at once
# (hovering each button in turn took 2-6 s a page and read the same strings).
_TOOLBARS = """() => {
  const shown = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({visibilityProperty: true}); };
  return [...document.querySelectorAll('.js-plotly-plot')].filter(shown).flatMap((chart) =>
    [...chart.querySelectorAll('.modebar-btn')].filter(shown)
      .map((b) => getComputedStyle(b, '::after').content.replace(/^"|"$/g, '')));
}"""


def toolbar_tooltips(page) -> list[str]:
    """The tooltip each visible button of each visible chart's toolbar shows on a hover."""
    return page.evaluate(_TOOLBARS)


def tooltips(page) -> list[str]:
    """Hover each help icon and read the tooltip Streamlit shows."""
    shown = []
    targets = page.locator('[data-testid="stTooltipHoverTarget"]')
    for i in range(min(targets.count(), 20)):
        target = targets.nth(i)
        if not target.is_visible():
            continue
        target.hover(force=True)
        tip = page.locator('[data-testid="stTooltipContent"]').last
        try:
            tip.wait_for(timeout=3000)
            shown.append(tip.inner_text())
        except PlaywrightTimeout:  # an icon whose tooltip never came: nothing seen
            pass
    page.mouse.move(0, 0)
    return shown


def latin(texts: list[str], allowed: set[str]) -> list[tuple[str, str]]:
    """(word, the text it is in) for each Latin word neither allowed nor data."""
    return [
        (word, text[:120])
        for text in texts
        for word in LATIN.findall(text)
        if word.lower() not in ALLOWED and word not in allowed
    ]
