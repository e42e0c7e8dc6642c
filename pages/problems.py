"""问题督办: the ledger of problems to coordinate, filtered; counts and 办结率 by unit and type;
a problem's detail and history with the steps the user may take; the 待协调问题清单 for a
meeting (PDF, Excel); the office's proposals from the monthly reports and new problems; the
admin's 三色督办 thresholds.

Open to every account (leaders write 批示 here, units their progress); not to visitors."""

import streamlit as st

from ui import problems, problems_act, problems_agenda, problems_new, shell

user = shell.page(need="problems")  # an account: a visitor gets the login form there
version = problems.version()
day = problems.today()
st.title("问题督办")
problems.rule_caption(version)
problems.flash()
listing = problems.listing(version, day, problems.filters(version, day))
problems.figures(listing)

office = user.role in ("office", "admin")
names = ["问题台账", "按主办单位", "按问题类型", "按协调区领导", "会议清单"]
names += ["月报线索", "登记问题", "导入台账"] if office else []
names += ["督办设置"] if user.is_admin else []
tabs = dict(zip(names, st.tabs(names), strict=True))
with tabs["问题台账"]:
    if listing.found.empty:
        st.info("没有符合筛选条件的问题。")
    else:
        problems.ledger_table(listing, key="problems_table")
with tabs["按主办单位"]:
    problems.by_group(listing.by_unit, key="problems_by_unit")
with tabs["按问题类型"]:
    problems.by_group(listing.by_type, key="problems_by_type")
with tabs["按协调区领导"]:
    problems.by_group(listing.by_leader, key="problems_by_leader")
with tabs["会议清单"]:
    problems_agenda.downloads(version, day)
if office:
    with tabs["月报线索"]:
        problems_new.proposal_list(user, version)
    with tabs["登记问题"]:
        problems_new.create_form(user, version, key="problems_new")
    with tabs["导入台账"]:
        problems_new.import_panel(user, version)
if user.is_admin:
    with tabs["督办设置"]:
        problems_new.settings_form(user, version)

st.divider()
row = problems.chosen(listing, problems.table(version, day))
if row is not None:
    problems.detail(row, problems.history(version, row["id"]))
    problems_act.actions(user, row)
