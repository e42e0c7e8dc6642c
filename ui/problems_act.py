"""What a user may do to a problem, as forms: 交办, 办理进展, 申请办结, 销号 or 退回, 暂缓 and
恢复, 批示. Only the steps xzcore.problems.store.may allows are drawn; the step itself checks
again (a page only hides buttons), so a refusal still reads as one Chinese line here."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data
from ui.problems import done, today
from xzcore import auth
from xzcore.problems import CLOSURES, store


def run(step, *args, **kwargs) -> bool:
    return data.attempt(step, *args, **kwargs) is not data.REFUSED


def actions(user: auth.User | None, row: dict) -> None:
    """The forms of the steps this user may take on the problem as it stands."""
    allowed = [step for step in store.STEPS if store.may(user, step, row)]
    if not allowed:
        st.caption("您对这个问题没有可办理的事项。")
        return
    st.markdown("**办理**")
    for step in allowed:
        _FORMS[step](user, row)


def _assign(user, row) -> None:
    with st.form(f"problem_assign_{row['id']}"):
        unit = st.text_input("主办单位", value=row["lead_unit"] or row["project_unit"] or "")
        support = st.text_input("协办单位（多个用顿号分隔）", value="、".join(row["support_units"]))
        leader = st.text_input("协调区领导", value=row["leader"] or "")
        due = st.date_input("办结时限", value=today() + dt.timedelta(days=30))
        text = st.text_input("交办说明（可不填）")
        if st.form_submit_button("交办", type="primary") and run(
            store.assign, user, row["id"], lead_unit=unit, due_on=due, support_units=support,
            leader=leader or None, text=text,
        ):  # fmt: skip
            done(f"问题 #{row['id']} 已交办{unit}，办结时限 {due:%Y-%m-%d}。")


def _written(user, row, kind: str, label: str, button: str, step, said: str) -> None:
    """A step that is a text the user writes (a note, a request to close, a 批示)."""
    with st.form(f"problem_{kind}_{row['id']}", clear_on_submit=True):
        text = st.text_area(label, max_chars=2000, height=80)
        if st.form_submit_button(button) and run(step, user, row["id"], text):
            done(said.format(id=row["id"]))


def _note(user, row) -> None:
    _written(user, row, "note", "办理进展", "提交进展", store.note, "已记录问题 #{id} 的办理进展。")


def _request(user, row) -> None:
    _written(user, row, "request", "办结情况说明", "申请办结", store.request_close,
             "问题 #{id} 已申请办结，待区重点办督核。")  # fmt: skip


def _close(user, row) -> None:
    with st.form(f"problem_close_{row['id']}"):
        how = st.radio("办结方式", CLOSURES, horizontal=True)
        text = st.text_input("督核意见（可不填）")
        if st.form_submit_button("销号", type="primary") and run(
            store.close, user, row["id"], how, text
        ):
            done(f"问题 #{row['id']} 已销号（{how}）。")


def _return(user, row) -> None:
    with st.form(f"problem_return_{row['id']}"):
        reason = st.text_input("退回理由（主办单位会看到）", max_chars=500)
        if st.form_submit_button("退回") and run(store.send_back, user, row["id"], reason):
            done(f"问题 #{row['id']} 已退回主办单位：{reason}")


def _hold(user, row) -> None:
    with st.form(f"problem_hold_{row['id']}"):
        reason = st.text_input("暂缓理由", max_chars=500)
        if st.form_submit_button("暂缓") and run(store.hold, user, row["id"], reason):
            done(f"问题 #{row['id']} 已暂缓：{reason}")


def _resume(user, row) -> None:
    if st.button("恢复办理", key=f"problem_resume_{row['id']}") and run(
        store.resume, user, row["id"]
    ):
        done(f"问题 #{row['id']} 已恢复办理。")


def _instruct(user, row) -> None:
    _written(user, row, "instruct", "领导批示", "提交批示", store.instruct,
             "已记录对问题 #{id} 的批示。")  # fmt: skip


_FORMS = {
    "assign": _assign,
    "note": _note,
    "request": _request,
    "close": _close,
    "return": _return,
    "hold": _hold,
    "resume": _resume,
    "instruct": _instruct,
}
