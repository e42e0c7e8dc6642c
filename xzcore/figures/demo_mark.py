"""Whether the database holds the demo's figures: the demo files are uploaded by an office user
named "demo" who cannot log in, and the pages and the report then say 示例数据."""

from __future__ import annotations

UPLOADER = "demo"


def is_demo(con) -> bool:
    found = con.execute("SELECT count(*) FROM batches WHERE user_name = ?", [UPLOADER])
    return bool(found.fetchone()[0])
