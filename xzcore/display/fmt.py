"""Chinese number formatting shared by pages, reports and the command line."""

from __future__ import annotations

import math

from xzcore.rules import LIGHT_NAMES


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(wan, unit: str | None = None) -> str:
    """万元 as 万元, or as 亿元 once it reaches 1亿 (unit forces one of the two)."""
    if _missing(wan):
        return "—"
    wan = float(wan)
    if unit == "亿元" or (unit is None and abs(wan) >= 10000):
        return f"{wan / 10000:,.2f}亿元"
    return f"{wan:,.0f}万元" if float(wan).is_integer() else f"{wan:,.2f}万元"


def percent(rate, digits: int = 1) -> str:
    return "—" if _missing(rate) else f"{rate * 100:.{digits}f}%"


def pp(lag, short: bool = False) -> str:
    """Lag in percentage points, worded as bulletins word it: 落后10.6个百分点, 超前37.2个百分点.

    Words, never a sign: a signed "滞后 −37.2" read as behind. `short` is a table's cell under a
    header that names the unit (较时序进度（百分点）): 落后10.6, 超前37.2, 持平.
    """
    if _missing(lag):
        return "—"
    if abs(lag) < 0.05:
        return "持平" if short else "与时序进度持平"
    words = f"{'落后' if lag > 0 else '超前'}{abs(lag):.1f}"
    return words if short else f"{words}个百分点"


def light(name: str) -> str:
    return LIGHT_NAMES.get(name, name)
