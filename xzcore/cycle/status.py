"""Who has reported (报送情况): per project and per unit and month, the office's review,
the deadline, 报送及时率 and the 催报 text ready to paste into a chat group.

A unit's month is 未报送 (no project reported), 部分报送, 已报送 (every project), 退回 (the
office sent it back and nothing came since) or 已确认. A report is on time when its first
upload (the earliest batch that wrote it, undone or not) came by the deadline: the 5th of the
next month unless the admin set another day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from xzcore.cycle import months
from xzcore.display import tables
from xzcore.errors import BadArgument
from xzcore.period import Month
from xzcore.store import audit, db, settings
from xzcore.store.roles import User, enforce

NO_UNIT = "（未填责任单位）"
STATES = ("未报送", "部分报送", "已报送", "退回", "已确认")


def deadline(con, month: Month) -> dt.datetime:
    """The end of the day reports of the month are due (the day after, 00:00)."""
    following = month.shift(1)
    day = dt.date(following.year, following.month, settings.report_deadline_day(con))
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def projects(con, month: Month) -> pd.DataFrame:
    """One row a project planned that year: reported or not, by whom, when, first upload."""
    return con.execute(
        """SELECT p.id, p.code, p.name, coalesce(p.unit, $none) AS unit,
                  g.project_id IS NOT NULL AS reported, b.id AS batch, b.user_name AS by,
                  b.created_at AS at,
                  (SELECT min(fb.created_at) FROM main.batch_touches t
                   JOIN main.batches fb ON fb.id = t.batch_id
                   WHERE t.tbl = 'progress' AND t.project_id = p.id AND t.year = $year
                         AND t.month = $month) AS first_at
           FROM main.projects p
           JOIN main.annual_plans a ON a.project_id = p.id AND a.year = $year
           LEFT JOIN main.progress g ON g.project_id = p.id AND g.year = $year
                AND g.month = $month
           LEFT JOIN main.batches b ON b.id = g.batch_id
           ORDER BY unit, p.id""",
        {"year": month.year, "month": month.month, "none": NO_UNIT},
    ).df()


def _reviews(con, month: Month) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT unit, state, reason, user_name, reviewed_at FROM main.unit_reviews"
        " WHERE year = ? AND month = ?",
        [month.year, month.month],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def units(con, month: Month, now: dt.datetime | None = None) -> pd.DataFrame:
    """One row a unit: projects, reported, state, last upload, review, deadline and lateness."""
    now = now or dt.datetime.now()
    due = deadline(con, month)
    reviews = _reviews(con, month)
    rows = []
    for unit, group in projects(con, month).groupby("unit", sort=True):
        reported = int(group.reported.sum())
        last = group["at"].max() if reported else None
        first = group.first_at.max() if reported == len(group) else None
        state = "未报送" if not reported else "已报送" if reported == len(group) else "部分报送"
        review = reviews.get(unit)
        reason = None
        if review and (last is None or pd.isna(last) or review[3] >= last):
            state = "退回" if review[0] == "returned" else "已确认"
            reason = review[1]
        rows.append(
            {
                "unit": unit,
                "projects": len(group),
                "reported": reported,
                "state": state,
                "last_at": None if last is None or pd.isna(last) else last.to_pydatetime(),
                "reviewed_by": review[2] if review else None,
                "review_reason": reason,
                "deadline": due,
                # complete by the deadline: on time; else late once the deadline has passed
                "on_time": first is not None and not pd.isna(first) and first < due,
                "overdue": now >= due and (reported < len(group) or state == "退回"),
                "missing": group.loc[~group.reported, "name"].tolist(),
            }
        )
    # None, not NaN, where a unit has no review: pandas 3 makes a column of text and None a
    # text column with NaN, and `if row.review_reason` printed 退回原因：nan for every unit
    table = pd.DataFrame(rows)
    return tables.nulls_as_none(table, ["reviewed_by", "review_reason"]) if rows else table


def timeliness(con, year: int, upto: Month, now: dt.datetime | None = None) -> pd.DataFrame:
    """报送及时率 per unit for the year: months whose deadline has passed (to upto), and of
    them the months the unit's every report was in by the deadline."""
    now = now or dt.datetime.now()
    counted = [
        Month(year, m) for m in range(1, upto.month + 1) if deadline(con, Month(year, m)) <= now
    ]
    tally: dict[str, list[int]] = {}
    for month in counted:
        for row in units(con, month, now).itertuples():
            seen = tally.setdefault(row.unit, [0, 0])
            seen[0] += 1
            seen[1] += bool(row.on_time)
    rows = [
        {"unit": u, "due": d, "on_time": o, "rate": o / d if d else None}
        for u, (d, o) in sorted(tally.items())
    ]
    return pd.DataFrame(rows, columns=["unit", "due", "on_time", "rate"])


def review(
    con, user: User, month: Month, unit: str, state: str, reason: str | None = None,
    at: dt.datetime | None = None,
) -> None:  # fmt: skip
    """The office confirms a unit's month, or sends it back with a reason its staff will see."""
    enforce(con, user, "review", {"month": str(month), "unit": unit})
    if state not in ("confirmed", "returned"):
        raise BadArgument(f"审核结果只能是 confirmed 或 returned，收到“{state}”")
    reason = (reason or "").strip() or None
    if state == "returned" and reason is None:
        raise BadArgument("退回须填写理由，填报单位会在上传页看到")
    if months.latest(con, month) is not None:
        raise BadArgument(f"{month} 已发布，不能再审核；如需更正请上传更正数据")
    at = at or dt.datetime.now()  # to the microsecond: an upload in the same second is later
    with db.transaction(con):
        con.execute(
            "INSERT OR REPLACE INTO main.unit_reviews VALUES (?, ?, ?, ?, ?, ?, ?)",
            [month.year, month.month, unit, state, reason, user.username, at],
        )
        audit.record(
            con, user, "review",
            {"month": str(month), "unit": unit, "state": state, "reason": reason}, at=at,
        )  # fmt: skip


def returned(con, month: Month, unit_names) -> list[dict]:
    """The 退回 reasons standing for these units (a staff member's) in the month."""
    table = units(con, month)
    if table.empty:
        return []
    wanted = set(unit_names)
    hit = table[(table.state == "退回") & table.unit.isin(wanted)]
    return hit[["unit", "review_reason", "reviewed_by"]].to_dict("records")


def deadline_text(at: dt.datetime) -> str:
    """The last day reports may come in, as people say it: 10月5日."""
    day = at - dt.timedelta(days=1)
    return f"{day.month}月{day.day}日"


def remind(con, month: Month, unit: str | None = None, now: dt.datetime | None = None) -> str:
    """催报 text: for one unit, or one message for every unit still missing reports."""
    table = units(con, month, now)
    if table.empty:
        return f"{month.year}年{month.month}月没有计划内的项目。"
    due = deadline_text(deadline(con, month))
    late = table[(table.state.isin(["未报送", "部分报送", "退回"]))]
    if unit is not None:
        late = late[late.unit == unit]
        if late.empty:
            return f"{unit} {month.year}年{month.month}月的月报已全部报送。"
    if late.empty:
        return f"{month.year}年{month.month}月各单位月报已全部报送。"
    lines = [
        f"【催报】{month.year}年{month.month}月重点项目月报应于{due}前报送，以下单位尚未报齐："
    ]
    for row in late.itertuples():
        what = "退回待重报" if row.state == "退回" else f"{len(row.missing)}个项目未报送"
        names = "、".join(row.missing[:10]) + ("等" if len(row.missing) > 10 else "")
        lines.append(
            f"{row.unit}：{what}"
            + (f"（{names}）" if row.missing else "")
            # a unit never reviewed has NaN here (pandas' str column), which is truthy
            + (f"，退回原因：{row.review_reason}" if isinstance(row.review_reason, str) else "")
        )
    lines.append("请尽快通过重点项目看板上传月报。")
    return "\n".join(lines)
