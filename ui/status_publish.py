"""Publishing a month from the 报送情况 page: what is still missing, the rule for projects
without a report, a confirmation, then cycle.publish.publish (office or admin)."""

from __future__ import annotations

import streamlit as st

from ui import data, status
from xzcore import auth
from xzcore.cycle import publish
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.period import Month

RULE = "未报送的项目按上月累计计列并标注未报送"


def missing(version: str, month: str) -> list[tuple[str, int]]:
    """(unit, projects without a report) for the units not complete, most missing first."""
    table = status.units(version, month, status.today())
    if table.empty:
        return []
    found = [(r["unit"], len(r["missing"])) for r in table.to_dict("records") if r["missing"]]
    return sorted(found, key=lambda x: (-x[1], x[0]))


def panel(user: auth.User, version: str, month: str) -> None:
    period = Month.parse(month)
    name = f"{period.year}年{period.month}月"
    st.subheader(f"发布{name}", anchor=False)
    if data.versions(version, month):
        st.caption(
            f"{name}已发布，版本见页首。更正：在上传页上传更正数据或撤销批次，并填写更正理由。"
        )
        return
    if not status.has_reports(version, month):
        st.info(f"{name}还没有任何月报，不能发布。", icon=":material/info:")
        return
    with st.container(border=True):
        gaps = missing(version, month)
        if gaps:
            total = sum(n for _, n in gaps)
            st.warning(
                f"尚有 {len(gaps)} 个单位、{total} 个项目未报送："
                + tables.literal("；".join(f"{u} {n} 个" for u, n in gaps))
                + "。",
                icon=":material/warning:",
            )
        else:
            st.success("各单位已全部报送。", icon=":material/task_alt:")
        st.markdown(
            f"**发布规则**：{RULE}。发布后{name}的数据冻结（亮灯、红旗预警与通报按发布时的"
            "规则与阈值保存），领导和通报看到的就是发布的版本；填报单位不能再上传修改，"
            "更正须由区重点办填写理由，生成新版本，原版本仍可查看。"
        )
        sure = st.checkbox(
            f"我已核对未报送情况，确认发布{name}"
            + (f"（{len(gaps)} 个单位未报齐）" if gaps else ""),
            key=f"publish_sure_{month}",
        )
        if not st.button(
            f"发布{name}", type="primary", disabled=not sure, icon=":material/publish:",
            key=f"publish_go_{month}",
        ):  # fmt: skip
            if not sure:
                st.caption("请先勾选确认。")
            return
    try:
        with st.spinner("正在发布（冻结本月数据）……"), data.writing() as con:
            version_ = publish.publish(con, user, period)
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")
        return
    status.done(
        f"已发布{name}：第 {version_.version} 版，{version_.published_at:%Y-%m-%d %H:%M}，"
        f"已报送 {version_.reported}/{version_.projects} 个项目。"
    )
