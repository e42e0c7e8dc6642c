"""Settings an admin may change, kept in the database so every process agrees on them."""

from __future__ import annotations

import json

from xzcore.errors import BadArgument
from xzcore.rules import PRESETS, SCHEDULE_MODES, Preset, get_preset

KEYS = ("preset", "thresholds", "schedule_mode")


def read(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM settings").fetchall())


def write(con, key: str, value: str) -> None:
    if key not in KEYS:
        raise BadArgument(f"未知的设置项：{key}")
    con.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


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


def set_thresholds(con, preset_name: str, values: dict) -> Preset:
    """Validate an admin's thresholds against the preset and store them."""
    checked = get_preset(preset_name).with_thresholds(values)
    stored = json.loads(read(con).get("thresholds", "{}"))
    stored[preset_name] = checked.thresholds()
    write(con, "thresholds", json.dumps(stored, ensure_ascii=False, sort_keys=True))
    return checked


__all__ = ["KEYS", "PRESETS", "preset", "read", "schedule_mode", "set_thresholds", "write"]
