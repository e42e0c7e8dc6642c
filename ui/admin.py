"""The admin pages' parts: users, the audit log, the light rules and who may view."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ui import accounts, controls, data, formats, table_download
from xzcore import auth, rules
from xzcore.display import tables
from xzcore.errors import XZError
from xzcore.figures import metrics
from xzcore.period import Month
from xzcore.store import audit, db, settings

_DONE = "admin_done"
VIEWING = ("可以查看（内网）", "必须登录才能查看")
AUDIT_COLUMNS = {
    "at": "时间",
    "actor": "用户名",
    "actor_name": "姓名",
    "role": "角色",
    "action_name": "操作",
    "detail": "内容",
}


def _done(message: str) -> None:
    st.session_state[_DONE] = message
    st.rerun()  # a settings change changes the data version: every cached figure is redone


def flash() -> None:
    message = st.session_state.pop(_DONE, None)
    if message:  # it names accounts: a user name may hold _ and __, which Markdown would eat
        st.success(tables.literal(message), icon=":material/check_circle:")


def _attempt(action, success: str) -> None:
    try:
        action()
    except XZError as exc:
        st.error(tables.literal(str(exc)), icon=":material/error:")  # quotes what was typed
        return
    _done(success)


def _when(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:%Y-%m-%d %H:%M}"


def user_table() -> None:
    flash()
    table = accounts.users()
    if table.empty:
        st.info("还没有账号。")
        return
    table = table.assign(
        units=table["units"].map(lambda units: "、".join(units) if len(units) else "全部"),
        disabled=table["disabled"].map({True: "已停用", False: "正常"}),
        email=table["email"].fillna("—"),
        **{c: table[c].map(_when) for c in ("locked_until", "last_login", "created_at")},
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "username": "用户名",
            "display_name": "姓名",
            "role_name": "角色",
            "units": "负责单位",
            "email": "统一身份邮箱",
            "disabled": "状态",
            "failed_count": st.column_config.NumberColumn("连续失败", format="%d"),
            "locked_until": "锁定至",
            "last_login": "最近登录",
            "created_at": "创建时间",
        },
        column_order=[
            "username",
            "display_name",
            "role_name",
            "units",
            "email",
            "disabled",
            "failed_count",
            "locked_until",
            "last_login",
            "created_at",
        ],
    )


def add_user_form(actor: auth.User) -> None:
    units = data.filter_options(data.data_version())["unit"]
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**新增账号**")
        username = st.text_input("用户名", max_chars=64)
        name = st.text_input("姓名", max_chars=40)
        role = st.selectbox("角色", auth.ROLES, format_func=auth.ROLE_NAMES.get, index=1)
        chosen = st.multiselect("负责单位（填报员必选）", units, placeholder="选择责任单位")
        email = st.text_input("统一身份邮箱（可选）", max_chars=120)
        password = st.text_input("初始密码（至少 8 位）", type="password", max_chars=256)
        submitted = st.form_submit_button("新增", icon=":material/person_add:")
    if submitted:
        _attempt(
            lambda: accounts.add_user(
                actor, username.strip(), password, role, chosen, name.strip(), email.strip()
            ),
            f"已新增账号 {username.strip()}。",
        )


def _usernames() -> list[str]:
    table = accounts.users()
    return [] if table.empty else table["username"].tolist()


def password_form(actor: auth.User) -> None:
    with st.form("set_password", clear_on_submit=True):
        st.markdown("**重置密码**")
        username = st.selectbox("账号", _usernames(), key="password_user")
        password = st.text_input("新密码（至少 8 位）", type="password", max_chars=256)
        submitted = st.form_submit_button("重置", icon=":material/key:")
    if submitted and username:
        _attempt(
            lambda: accounts.set_password(actor, username, password),
            f"已重置 {username} 的密码。",
        )


def disable_form(actor: auth.User) -> None:
    with st.form("disable_user"):
        st.markdown("**停用账号**")
        username = st.selectbox("账号", _usernames(), key="disable_user_name")
        sure = st.checkbox("确认停用（该账号立即退出登录）")
        submitted = st.form_submit_button("停用", icon=":material/person_off:")
    if submitted and username:
        if not sure:
            st.warning("请先勾选“确认停用”。")
            return
        _attempt(lambda: accounts.disable(actor, username), f"已停用账号 {username}。")


def audit_view() -> None:
    cols = st.columns([1, 1, 1, 1])
    actor = cols[0].text_input("用户名", max_chars=64).strip() or None
    action = cols[1].selectbox(
        "操作",
        [None, *audit.ACTIONS],
        format_func=lambda a: "全部" if a is None else audit.ACTIONS[a],
    )
    today = dt.date.today()
    since = cols[2].date_input("起始日期", value=today - dt.timedelta(days=30))
    until = cols[3].date_input("截止日期", value=today)
    table = accounts.audit_log(actor, action, since, until)
    st.caption(f"共 {len(table)} 条（最新在前，最多 1000 条）。")
    table = table.assign(
        # no role (a failed login of an unknown name) is NaN here, as pandas 3 marks missing text
        role=table["role"].map(lambda r: auth.ROLE_NAMES.get(r, r) if isinstance(r, str) else "—"),
        actor_name=table["actor_name"].fillna("—"),  # st.dataframe would draw "None"
        detail=[
            audit.describe(a, d) for a, d in zip(table["action"], table["detail"], strict=True)
        ],
    )
    shown = table.rename(columns=AUDIT_COLUMNS)[list(AUDIT_COLUMNS.values())]
    st.dataframe(
        shown,
        hide_index=True,
        height=38 + formats.WRAPPED_ROW * min(len(shown), 12),
        row_height=formats.WRAPPED_ROW,  # 内容 is a sentence or two: wrapped, not cut
        column_config={
            "时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
            "姓名": st.column_config.TextColumn(width="medium"),
            "内容": st.column_config.TextColumn(width=560),
        },
    )
    table_download.csv_button(shown, f"审计日志_{since}_{until}", key="audit_csv")


def rules_form(actor: auth.User) -> None:
    flash()
    info = data.rules_info(data.data_version())
    names = list(rules.PRESETS)
    st.markdown(f"**亮灯规则**　现行：{info['title']}（{info['source']}）")
    # the preset is chosen outside the form: its thresholds below follow the choice at once
    chosen = st.selectbox(
        "规则",
        names,
        index=names.index(info["name"]),
        format_func=lambda n: rules.PRESETS[n].title,
    )
    preset = rules.get_preset(chosen)
    current = preset.thresholds() if chosen != info["name"] else info["thresholds"]
    unit = "（落后时序进度的百分点）" if preset.measure == "lag_pp" else "（完成率÷时序进度）"
    with st.form(f"rules-{chosen}"):
        st.caption(
            f"{rules.LIGHT_NAMES['green']}：{preset.band_text('green')}；"
            f"{rules.LIGHT_NAMES['yellow']}：{preset.band_text('yellow')}；"
            f"{rules.LIGHT_NAMES['red']}：{preset.band_text('red')}。{preset.start_text()}。"
        )
        green = st.text_input(f"绿灯阈值{unit}", value=current["green"])
        yellow = st.text_input(f"黄灯阈值{unit}", value=current["yellow"])
        start_yellow = st.number_input(
            "逾期未开工几个月亮黄灯", 1, 24, int(current["start_yellow_months"])
        )
        start_red = st.number_input(
            "逾期未开工几个月亮红灯", 1, 36, int(current["start_red_months"])
        )
        modes = list(rules.SCHEDULE_MODES)
        mode = st.radio(
            "时序进度口径",
            modes,
            index=modes.index(info["mode"]),
            format_func=rules.SCHEDULE_MODES.get,
        )
        with st.container(horizontal=True):
            st.form_submit_button("预览亮灯", icon=":material/visibility:")
            submitted = st.form_submit_button("保存规则", type="primary", icon=":material/save:")
    values = {
        "green": green.strip(),
        "yellow": yellow.strip(),
        "start_yellow_months": start_yellow,
        "start_red_months": start_red,
    }
    # before saving: what the rule as it stands in the form makes of the latest month
    lit_preview(preset, values, mode)
    if submitted:
        _attempt(
            lambda: accounts.save_rules(actor, chosen, values, mode),
            f"已保存：{rules.PRESETS[chosen].title}，{rules.SCHEDULE_MODES[mode]}。",
        )


def lit_preview(preset: rules.Preset, values: dict, mode: str) -> None:
    """The light counts of the latest month under the rule in force and under this one."""
    version = data.data_version()
    months = data.months(version)
    if not months:
        return
    try:
        proposed = preset.with_thresholds(values)
    except XZError as exc:
        st.warning(f"{exc}：修改后才能预览和保存。")
        return
    month = Month.parse(months[-1])
    with data.cursor() as con:
        now = metrics.summary(con, month)["lights"]
        new = metrics.summary(con, month, preset=proposed, schedule_mode=mode)["lights"]
    st.markdown(
        f"**按此规则，{controls.month_label(months[-1])}**（现行规则 → 此规则）："
        + "　".join(
            f"{formats.light_text(light)} {now[light]} → {new[light]} 个" for light in rules.LIGHTS
        )
    )


def viewing_form(actor: auth.User) -> None:
    allowed = accounts.anonymous_viewing()
    with st.form("viewing"):
        st.markdown("**查看权限**")
        choice = st.radio("未登录的访问者", VIEWING, index=0 if allowed else 1)
        submitted = st.form_submit_button("保存", icon=":material/save:")
    if submitted:
        anonymous = choice == VIEWING[0]
        _attempt(
            lambda: accounts.set_anonymous_viewing(actor, anonymous),
            f"已保存：未登录的访问者{choice}。",
        )


def cycle_form(actor: auth.User) -> None:
    """The monthly cycle: the day reports are due, and whether leaders may open a month that is
    still being collected (its figures are half in: default no)."""
    with data.cursor() as con:
        day, leaders = settings.report_deadline_day(con), settings.leaders_see_collecting(con)
    with st.form("cycle"):
        st.markdown("**月报报送与发布**")
        chosen_day = st.number_input(
            "报送截止日（次月几日前报送，1–28）", min_value=1, max_value=28, value=day, step=1
        )
        chosen_leaders = st.checkbox("领导可查看未发布（收集中）的月份", value=leaders)
        st.caption(
            "截止日决定“逾期”和报送及时率；领导默认只看已发布的月份，收集中的月份"
            "只有部分单位报送，数据不完整。"
        )
        submitted = st.form_submit_button("保存", icon=":material/save:")
    if submitted:

        def save() -> None:
            with data.writing() as con, db.transaction(con):
                settings.write(con, "report_deadline_day", str(int(chosen_day)), actor=actor)
                settings.write(
                    con, "leaders_see_collecting", "true" if chosen_leaders else "false",
                    actor=actor,
                )  # fmt: skip

        seen = "可以" if chosen_leaders else "不能"
        _attempt(save, f"已保存：月报于次月{int(chosen_day)}日前报送；领导{seen}查看收集中的月份。")
