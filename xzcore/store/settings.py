"""Settings an admin may change, kept in the database so every process agrees on them.

Writers take the acting user (admin only) and leave the old and new value in the audit log.
They open no transaction of their own, so a page may save several in one.
"""

from __future__ import annotations

import json

from xzcore.errors import BadArgument
from xzcore.rules import PRESETS, SCHEDULE_MODES, Preset, get_preset
from xzcore.store import audit
from xzcore.store.roles import User, enforce

KEYS = ("preset", "thresholds", "schedule_mode", "anonymous_viewing", "report_deadline_day",
        "leaders_see_collecting")  # fmt: skip
DEADLINE_DAY = 5  # reports are due on the 5th of the next month (published practice: 5th–6th)
_BOOLEAN = ("true", "false")


def read(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM settings").fetchall())


def _check(con, key: str, value: str) -> None:
    if key == "preset":
        get_preset(value)  # raises on an unknown name
    elif key == "schedule_mode":
        schedule_mode(con, value)
    elif key == "thresholds":
        try:
            json.loads(value)
        except ValueError:
            raise BadArgument("阈值设置不是有效的 JSON") from None
    elif key in ("anonymous_viewing", "leaders_see_collecting") and value not in _BOOLEAN:
        raise BadArgument(f"{key} 只能是 true 或 false，收到“{value}”")
    elif key == "report_deadline_day" and not (value.isdigit() and 1 <= int(value) <= 28):
        raise BadArgument(f"报送截止日应为 1 至 28 的整数，收到“{value}”")


def write(con, key: str, value: str, *, actor: User, at=None) -> None:
    """Store one setting (admin only), audited with its old and new value (at: the audit
    time, for a reproducible demo build)."""
    if key not in KEYS:
        raise BadArgument(f"未知的设置项：{key}")
    enforce(con, actor, "settings", {"key": key})
    _check(con, key, value)
    old = read(con).get(key)
    if old == value:
        return  # nothing changes: nothing to log
    con.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )
    audit.record(con, actor, "settings", {"key": key, "old": old, "new": value}, at=at)


def schedule_mode(con, override: str | None = None) -> str:
    mode = override or read(con).get("schedule_mode", "calendar")
    if mode not in SCHEDULE_MODES:
        raise BadArgument(f"时序进度口径只能是 {' 或 '.join(SCHEDULE_MODES)}，收到“{mode}”")
    return mode


def preset(con, override: str | None = None) -> Preset:
    """The preset in force, with the admin's thresholds when they were set for that same preset."""
    stored = read(con)
    chosen = get_preset(override or stored.get("preset"))
    thresholds = json.loads(stored.get("thresholds", "{}"))
    if chosen.name in thresholds:
        chosen = chosen.with_thresholds(thresholds[chosen.name])
    return chosen


def set_thresholds(con, preset_name: str, values: dict, *, actor: User) -> Preset:
    """Validate an admin's thresholds against the preset and store them. A threshold not in
    `values` keeps what was stored (the 规则设置 form does not show the node options, and
    saving it must not turn them off)."""
    enforce(con, actor, "settings", {"key": "thresholds", "preset": preset_name})
    stored = json.loads(read(con).get("thresholds", "{}"))
    checked = get_preset(preset_name).with_thresholds(stored.get(preset_name, {}) | values)
    stored[preset_name] = checked.thresholds()
    write(con, "thresholds", json.dumps(stored, ensure_ascii=False, sort_keys=True), actor=actor)
    return checked


def anonymous_viewing(con) -> bool:
    """Whether visitors who have not logged in may view the pages (never upload). Default: no."""
    return read(con).get("anonymous_viewing") == "true"


def set_anonymous_viewing(con, allowed: bool, *, actor: User, at=None) -> None:
    write(con, "anonymous_viewing", "true" if allowed else "false", actor=actor, at=at)


def report_deadline_day(con) -> int:
    """The day of the next month by which a month's reports are due."""
    return int(read(con).get("report_deadline_day", DEADLINE_DAY))


def leaders_see_collecting(con) -> bool:
    """Whether leaders (viewer role) may open a month still being collected. Default: no."""
    return read(con).get("leaders_see_collecting") == "true"


__all__ = [
    "KEYS",
    "PRESETS",
    "anonymous_viewing",
    "leaders_see_collecting",
    "preset",
    "read",
    "report_deadline_day",
    "schedule_mode",
    "set_anonymous_viewing",
    "set_thresholds",
    "write",
]
