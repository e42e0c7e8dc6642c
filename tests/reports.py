"""Monthly reports as an office would send them, made from a demo database's own figures."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import duckdb

HEADER = ["项目代码", "项目名称", "本月完成投资（万元）", "年初至报告期累计完成投资（万元）"]
AMOUNTS = (Decimal("1200"), Decimal("860.5"), Decimal("415"))


def september(db: Path, amounts=AMOUNTS) -> tuple[bytes, list[tuple[str, str, Decimal]]]:
    """A GBK CSV for 2020-09 on the first demo projects: title, 单位 line, header, a 合计 row.

    Each project's 累计 is its August figure plus the month's amount, so the file is consistent.
    Returns the bytes and (code, name, new cumulative) per project.
    """
    con = duckdb.connect(str(db), read_only=True)  # closed before the dashboard opens it
    try:
        august = con.execute(
            """SELECT p.code, p.name, g.ytd FROM projects p
               JOIN progress g ON g.project_id = p.id AND g.year = 2020 AND g.month = 8
               ORDER BY p.id LIMIT ?""",
            [len(amounts)],
        ).fetchall()
    finally:
        con.close()
    rows = [
        (code, name, amount, ytd + amount)
        for (code, name, ytd), amount in zip(august, amounts, strict=True)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["秀洲区重点项目2020年1-9月进展情况"])
    writer.writerow(["单位：万元"])
    writer.writerow(HEADER)
    for code, name, amount, ytd in rows:
        writer.writerow([code, name, _plain(amount), _plain(ytd)])
    total = [sum(r[i] for r in rows) for i in (2, 3)]
    writer.writerow(["合计", "", *(_plain(t) for t in total)])
    return out.getvalue().encode("gbk"), [(code, name, ytd) for code, name, _, ytd in rows]


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
