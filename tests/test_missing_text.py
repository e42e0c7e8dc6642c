"""A NULL in an optional text column, as pandas 3 hands it over: NaN (a float, and truthy) beside
text, not None. Code written for None printed "nan", took the wrong branch, filled a form with
"nan" (which saving then stored) or wrote NaN into JSON. Each test puts NULLs beside text, as a
real register or ledger has them, and looks at what a person (or a script) gets."""

from __future__ import annotations

import datetime as dt
import json
import math

import duckdb
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from tests.test_cli import cli
from xzcore import auth, cycle
from xzcore.display import tables
from xzcore.nodes import states
from xzcore.nodes import store as nodes_store
from xzcore.period import Month
from xzcore.problems import ledger, proposals, store
from xzcore.store import audit, db

OFFICE = auth.User("office", "区重点办（示例）", "office")
NAN = "nan"


def _strict(text: str):
    """JSON as any other program reads it: NaN is no JSON."""

    def refuse(constant):
        raise ValueError(f"{constant} in JSON")

    return json.loads(text, parse_constant=refuse)


def _null_in_every_schema(con, column: str, project_id: int) -> None:
    """NULL in the register and in every published month's copy of it (the pages, the bulletin
    and the command line read a published month there)."""
    schemas = con.execute(
        "SELECT DISTINCT schema_name FROM duckdb_tables() WHERE table_name = 'projects'"
    ).fetchall()
    for (schema,) in schemas:
        con.execute(f"UPDATE {schema}.projects SET {column} = NULL WHERE id = ?", [project_id])


# --- the helpers -----------------------------------------------------------------------------


def test_given_and_nulls_as_none_turn_what_pandas_reads_for_null_into_none():
    read = (
        duckdb.connect()
        .execute("SELECT * FROM (VALUES (NULL::VARCHAR, 1.5), ('区住建局', NULL)) t(unit, rate)")
        .df()
    )
    assert isinstance(read["unit"][0], float)  # the trouble: NaN, truthy, printed "nan"
    assert [tables.given(v) for v in read["unit"]] == [None, "区住建局"]
    assert tables.given(pd.NaT) is None and tables.given(pd.NA) is None
    assert tables.given(0) == 0 and tables.given("") == ""  # only a missing value is None
    fixed = tables.nulls_as_none(read)
    assert fixed["unit"].tolist() == [None, "区住建局"]
    assert math.isnan(fixed["rate"][1])  # numbers are not text: left as they were
    assert read["unit"].isna()[0]  # a copy: the frame read is not changed
    assert tables.records(read) == [
        {"unit": None, "rate": 1.5},
        {"unit": "区住建局", "rate": None},
    ]


# --- 问题督办 ---------------------------------------------------------------------------------


def test_handing_over_a_problem_without_unit_or_leader_offers_empty_fields(app_db):
    """交办's 主办单位 and 协调区领导 started as "nan" for a problem naming neither (beside one
    that does): a click on 交办 handed it to a unit called nan."""
    with db.connect(app_db) as con:
        bare = store.create(con, OFFICE, description="未定单位的问题", category="用地",
                            source="现场办公")  # fmt: skip
        store.create(con, OFFICE, description="另一个问题", category="资金", source="现场办公",
                     lead_unit="区住建局", leader="区长")  # fmt: skip
        row = ledger.problem(con, bare, dt.date.today())
        assert (row["lead_unit"], row["leader"], row["project"]) == (None, None, None)
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "office")
    at.query_params["problem"] = str(bare)
    at.switch_page("pages/problems.py").run()
    assert not at.exception, at.exception
    fields = {t.label: t.value for t in at.text_input}
    assert (fields["主办单位"], fields["协调区领导"]) == ("", "")


def test_the_command_line_lists_a_problem_without_unit_as_not_handed_over(app_db):
    with db.connect(app_db) as con:
        store.create(con, OFFICE, description="未定单位的问题", category="用地",
                     source="现场办公")  # fmt: skip
        store.create(con, OFFICE, description="另一个问题", category="资金", source="现场办公",
                     lead_unit="区住建局")  # fmt: skip
    listed = cli("problems", "list", db=app_db).stdout
    assert f"待交办 {ledger.NOT_ASSIGNED} 未定单位的问题" in listed and NAN not in listed


def test_a_new_problem_on_a_project_without_unit_is_not_handed_to_nan(demo_con):
    """登记问题 with 同时交办 and no 主办单位 takes the project's 责任单位: NaN made it "nan"."""
    _null_in_every_schema(demo_con, "unit", 1)
    listed = ledger.projects(demo_con).set_index("id")
    assert listed.at[1, "unit"] is None
    assert listed["unit"].notna().any()  # beside projects that have one


def test_a_proposal_from_a_project_without_leader_prefills_no_leader(demo_con):
    """立项 from a report's 存在问题 prefilled 协调区领导 with "nan" for a project without
    联系区领导, and the problem was saved coordinated by "nan"."""
    month = next(
        m for m in reversed(proposals.months(demo_con)) if len(proposals.offered(demo_con, m)) > 1
    )
    first = int(proposals.offered(demo_con, month).iloc[0]["project_id"])
    _null_in_every_schema(demo_con, "leader", first)
    _null_in_every_schema(demo_con, "unit", first)
    offered = proposals.offered(demo_con, month)
    row = offered[offered["project_id"] == first].iloc[0].to_dict()
    filled = proposals.prefill(row, month)
    assert (filled["leader"], filled["lead_unit"]) == (None, None)
    assert offered["leader"].notna().any()


# --- 报送情况 ---------------------------------------------------------------------------------


def test_status_says_a_return_reason_only_for_a_unit_sent_back(app_db):
    """python -m xzcore status printed 退回原因：nan for every unit once one unit was sent
    back with a reason, and --json wrote NaN."""
    sep = Month(2020, 9)
    with db.connect(app_db) as con:
        units = cycle.status.units(con, sep)["unit"].tolist()
        cycle.status.review(con, OFFICE, sep, units[0], "returned", "数据有误")
        cycle.status.review(con, OFFICE, sep, units[1], "confirmed")
        table = cycle.status.units(con, sep)
    assert table.set_index("unit").at[units[1], "review_reason"] is None
    lines = cli("status", "--month", "2020-09", db=app_db).stdout.splitlines()
    said = [line for line in lines if "退回原因" in line]
    assert said == [next(line for line in lines if units[0] in line)]
    assert said[0].endswith("退回原因：数据有误")
    shown = _strict(cli("status", "--month", "2020-09", "--json", db=app_db).stdout)
    assert {u["unit"]: u["review_reason"] for u in shown["units"]}[units[1]] is None


# --- lights, evaluation and nodes on the command line ---------------------------------------


def test_lights_and_evaluation_on_the_command_line_without_code_or_unit(app_db):
    """A project without 项目代码 or 责任单位 printed as "nan" and made --json write NaN."""
    worst = _strict(cli("lights", "--json", db=app_db).stdout)["projects"][0]["name"]
    with db.connect(app_db) as con:
        pid = con.execute("SELECT id FROM projects WHERE name = ?", [worst]).fetchone()[0]
        _null_in_every_schema(con, "code", pid)
        _null_in_every_schema(con, "unit", pid)
    lights = cli("lights", db=app_db).stdout
    assert NAN not in lights
    assert f"{worst}（未填责任单位）" in lights
    listed = _strict(cli("lights", "--json", db=app_db).stdout)["projects"]
    assert (listed[0]["code"], listed[0]["unit"]) == (None, None)
    assert NAN not in cli("evaluate", db=app_db).stdout
    _strict(cli("evaluate", "--json", db=app_db).stdout)


def test_overdue_nodes_of_a_project_without_unit_on_the_command_line(app_db):
    with db.connect(app_db) as con:
        late = states.overdue(con, Month(2020, 8))
        _null_in_every_schema(con, "unit", int(late.iloc[0]["project_id"]))
        assert states.overdue(con, Month(2020, 8))["unit"].notna().any()  # beside units
    shown = cli("nodes", "overdue", "--month", "2020-08", db=app_db).stdout
    assert late.iloc[0]["project"] in shown and NAN not in shown


# --- 节点 on the project page ------------------------------------------------------------------


def test_a_node_of_a_project_without_unit_is_edited_without_a_unit_nan(app_db):
    """修改节点 filled 节点责任单位 with "nan" where neither the node nor its project names a
    unit (and another node does): saving the note gave the node the unit "nan"."""
    with db.connect(app_db) as con:
        _null_in_every_schema(con, "unit", 1)
        nodes_store.edit(con, OFFICE, 1, "设备安装", unit="区经信局")
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "office")
    at.query_params["project"] = "1"
    at.switch_page("pages/project.py").run()
    next(s for s in at.selectbox if s.label == "节点").set_value("竣工").run()
    assert not at.exception, at.exception
    unit = next(t for t in at.text_input if t.label.startswith("节点责任单位"))
    assert unit.value == ""
    next(t for t in at.text_input if t.label == "备注").input("按期推进")
    next(b for b in at.button if b.label == "保存节点").click().run()
    assert not at.exception and not at.error
    with db.connect(app_db) as con:
        saved = con.execute(
            "SELECT unit, note FROM project_nodes WHERE project_id = 1 AND name = '竣工'"
        ).fetchone()
    assert saved == (None, "按期推进")


# --- groups of projects that leave a column empty ---------------------------------------------


def test_a_group_without_a_township_is_named_not_given_rather_than_none(app_db):
    """The projects without 镇街道 form a group whose key is None: the charts labelled its bar
    "None", the bulletin wrote 亮红灯的有：…、None and the command line "None: 13个"."""
    from xzcore.display import charts
    from xzcore.figures import metrics
    from xzcore.report import bulletin

    august = Month(2020, 8)
    with db.connect(app_db) as con:
        lights = metrics.lights(con, august)
        red = lights.loc[lights["light"] == "red", "name"].tolist()
        for (pid,) in con.execute(
            "SELECT id FROM projects WHERE list_contains(?, name)", [red]
        ).fetchall():
            _null_in_every_schema(con, "township", pid)
        groups = metrics.summary(con, august, by="township")["groups"]["township"]
        words = bulletin.gather(con, august).township_words
    assert None in [g["key"] for g in groups]
    figure = charts.completion_by_group(groups, 0.667, "各镇街道完成率")
    assert tables.NOT_GIVEN in figure.data[0].y and "None" not in figure.data[0].y
    assert tables.NOT_GIVEN in words and "None" not in words
    shown = cli("summary", "--month", "2020-08", "--by", "township", db=app_db).stdout
    assert f"  {tables.NOT_GIVEN}: " in shown and "None" not in shown


def test_no_table_on_any_page_shows_a_missing_cell(app_db):
    """st.dataframe draws a missing cell as a grey English "None": the audit log's 姓名 of a
    failed login by an unknown name, the 项目类别 ranking of a register that leaves it empty
    (as the demo's does). Every page of the two roles that see most, as each opens."""
    con = db.connect(app_db)
    audit.record(con, "nobody", "login_failed", {"reason": "unknown"})  # no name, no role
    con.close()
    found = {}
    for role in ("admin", "staff"):
        at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), role)
        for page in sorted((ROOT / "pages").glob("*.py")):
            if page.name == "login.py":
                continue
            at.switch_page(f"pages/{page.name}").run()
            assert not at.exception, (role, page.name, at.exception)
            for i, table in enumerate(at.dataframe):
                shown = table.value if isinstance(table.value, pd.DataFrame) else table.value.data
                missing = [c for c in shown.columns if shown[c].isna().any()]
                if missing:
                    found[(role, page.name, i)] = missing
    assert not found, found
