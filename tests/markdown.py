"""Reading what a page wrote as Markdown the way it shows on screen."""

from __future__ import annotations

import re


def shown(markdown: str) -> str:
    """The text of Markdown that display.tables.literal escaped: every backslash escape undone."""
    return re.sub(r"\\(.)", r"\1", markdown)
