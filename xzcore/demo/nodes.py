"""The demo's nodes: every demo project scheduled back (倒排) from its 计划竣工日期 by its
template, the start node on its 计划开工日期, and actual dates as of the end of August 2020
consistent with the register and the reports: nodes before the start done before the actual
start (some later than planned), nodes after it planned by August mostly done, a few not
(超期). 隆基乐叶 commits to 设备安装 and 投产 by 30 November 2020 (the article's own example).
Fixed seed and nominal times: two builds give the same tables.
"""

from __future__ import annotations

import datetime as dt
import random

from xzcore.nodes import schedule, templates
from xzcore.store import audit, db
from xzcore.store.roles import User

AS_OF = dt.date(2020, 8, 31)  # the demo's reports run to August
AT = dt.datetime(2020, 1, 20, 9, 30)  # nominal: just after the register
LONGI = "隆基乐叶"
LONGI_DATES = {"主体结顶": dt.date(2020, 7, 31), "设备安装": dt.date(2020, 11, 30),
               "竣工": dt.date(2020, 11, 30), "投产": dt.date(2020, 11, 30),
               "达产/上规": dt.date(2021, 5, 31)}  # fmt: skip
LONGI_DONE = {"主体结顶": dt.date(2020, 7, 28)}  # 7月月报：主体结构封顶


def add(con, user: User, seed: int = 2020) -> int:
    """Nodes for every project on the register; returns how many projects got them."""
    rows = con.execute(
        "SELECT id, name, build_type, category, project_type, planned_start, planned_completion,"
        " actual_start FROM projects WHERE planned_completion IS NOT NULL ORDER BY id"
    ).fetchall()
    all_steps = templates.all_steps(con)
    with db.transaction(con):
        for pid, name, build_type, category, kind, p_start, p_done, a_start in rows:
            rng = random.Random(seed * 1000 + pid)
            template = templates.guess(build_type, category, kind)
            steps = all_steps[template]
            pinned = {s.name: p_start for s in steps if s.stage == "开工" and p_start}
            if any(d > p_done for d in pinned.values()):
                pinned = {}
            if LONGI in name:
                pinned |= {k: v for k, v in LONGI_DATES.items() if k != "竣工"}
            planned = schedule.backward(steps, p_done, pinned)
            schedule.write(con, user, pid, template, p_done, planned, at=AT)
            done = _actuals(rng, planned, a_start)
            if LONGI in name:
                done |= LONGI_DONE
            for node, day in done.items():
                con.execute(
                    "UPDATE project_nodes SET actual = ? WHERE project_id = ? AND name = ?",
                    [day, pid, node],
                )
        said = f"{len(rows)} 个项目按模板倒排并填写实际日期"
        audit.record(con, user, "node_schedule", {"示例数据": said}, at=AT)
    return len(rows)


def _actuals(rng: random.Random, planned, started: dt.date | None) -> dict[str, dt.date]:
    """Actual dates of the nodes done by August 2020 (the start node's own comes from the
    register: left empty here, read from there)."""
    done: dict[str, dt.date] = {}
    at = next((i for i, (s, _) in enumerate(planned) if s.stage == "开工"), None)
    last = None
    for i, (step, day) in enumerate(planned):
        if step.stage in ("签约", "开工") or day is None:
            continue
        before_start = at is not None and i < at
        if before_start:
            if started is None:
                continue
            when = min(day + dt.timedelta(rng.choice((-9, -3, 0, 4, 12, 26))), started)
        elif day <= AS_OF and rng.random() < 0.8:
            when = min(day + dt.timedelta(rng.choice((-6, -2, 0, 3, 9, 18))), AS_OF)
        else:
            break  # nodes in order: once one is not done, the later ones are not either
        when = max(when, last) if last else when
        done[step.name] = last = when
    return done
