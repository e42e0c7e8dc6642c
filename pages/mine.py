"""我的: what is on this user's plate, readable on a phone: their open and overdue problems
(a unit's, a leader's, or the office's queue) and, for a unit or a leader, their projects'
red lights in the latest month they may see."""

import streamlit as st

from ui import problems, shell
from xzcore.display import tables

user = shell.page(need="problems")  # an account: a visitor gets the login form there
version = problems.version()
day = problems.today()
st.title("我的")
units = "、".join(user.units)
st.caption(tables.literal(user.label + (f"，负责：{units}" if units else "")))
problems.flash()
found = problems.mine(version, day, user)
red = found[found["colour"] == problems.model.RED]
with st.container(horizontal=True):
    st.metric("未办结问题", f"{len(found)} 个", width="content")
    st.metric("逾期未办结", f"{len(red)} 个", width="content")
problems.rule_caption(version)
if found.empty:
    st.info("没有需要您办理的问题。")
for row in found.head(problems.MINE_SHOWN).to_dict("records"):
    problems.card(row)
    problems.open_link(row["id"])
if len(found) > problems.MINE_SHOWN:
    st.caption(f"另有 {len(found) - problems.MINE_SHOWN} 个，请在「问题督办」中按单位筛选查看。")

month, lights = problems.red_lights(user)
if user.role in ("staff", "viewer") and month is not None:
    st.subheader(f"红灯项目（{month}）", anchor=False)
    if not problems.has_projects(user):
        whose = "、".join(user.units) if user.role == "staff" else user.display_name
        st.info(tables.literal(
            f"没有项目的{'责任单位' if user.role == 'staff' else '联系区领导'}是“{whose}”。"
            "领导账号的姓名须与计划表中“联系区领导”的写法一致（如“常务副区长”），请联系管理员修改。"
        ))  # fmt: skip
    elif lights.empty:
        st.info("您负责或联系的项目本月没有红灯。")
    for row in lights.itertuples():
        with st.container(border=True):
            st.markdown(f":red[■ 红灯] **{tables.literal(row.name)}**")
            st.caption(tables.literal(row.reason))
