"""Real layouts (tests/layouts.py) uploaded into the demo: the exact figures stored, nothing else.

Every case starts from a fresh copy of the demo (113 projects, January–August 2020 reported),
uploads one file as the command line does (prepare + commit by auth.SYSTEM), and compares the
whole register, the 2020 plans and every progress row with what was there, changed exactly as
the file says. A refused file must leave a byte-identical dump.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest

from tests import layouts
from tests.upload_files import dump
from xzcore import ingest
from xzcore.auth import SYSTEM
from xzcore.ingest import ValidationFailed, templates
from xzcore.store import db

PROGRESS = ("amount", "ytd", "since_start", "started", "stage", "image_progress", "problems",
            "batch_id")  # fmt: skip


@pytest.fixture
def demo(demo_template, tmp_path):
    """A test's own copy of the demo database."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    con = db.connect(path)
    yield con
    con.close()


def sept(amount, ytd, image=None, problems=None, *, stage=None, since_start=None, started=None):
    """A September progress row as it must be stored (money as text: exact decimals)."""
    money = {"amount": D(amount), "ytd": D(ytd), "since_start": since_start and D(since_start)}
    return money | {"started": started, "stage": stage, "image_progress": image,
                    "problems": problems}  # fmt: skip


def _dicts(con, sql: str, params=()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def state(con) -> dict:
    """The register, the 2020 plans, the targets and every progress row, keyed by project name."""
    names = dict(con.execute("SELECT id, name FROM projects").fetchall())
    return {
        "projects": {r["name"]: r for r in _dicts(con, "SELECT * FROM projects")},
        "plans": {names[p]: plan for p, plan in con.execute(
            "SELECT project_id, plan FROM annual_plans WHERE year = 2020").fetchall()},
        "targets": con.execute("SELECT * FROM monthly_targets ORDER BY ALL").fetchall(),
        "progress": {
            (names[r["project_id"]], r["year"], r["month"]): {f: r[f] for f in PROGRESS}
            for r in _dicts(con, "SELECT * FROM progress")
        },
    }  # fmt: skip


def upload(con, file: layouts.File, reason: str | None = None, **options):
    """Prepare and commit as the command line does; a case without a reason has no warning."""
    name, data = file
    preview = ingest.prepare(con, data, name, user=SYSTEM, **options)
    assert [str(p) for p in preview.errors] == []
    if reason is None:
        assert [str(p) for p in preview.warnings] == []
        return preview, ingest.commit(con, preview, SYSTEM)
    return preview, ingest.commit(con, preview, SYSTEM, accept_warnings=True, reason=reason)


@dataclass
class Case:
    file: object  # con → (file name, bytes)
    progress: dict[str, dict]  # project → its September row
    projects: dict[str, dict] = field(default_factory=dict)  # project → register fields changed
    plans: dict[str, str] = field(default_factory=dict)  # project → its new 2020 plan
    kind: str = "progress"
    reason: str | None = None  # the case expects warnings, accepted with this reason
    warnings: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)
    options: dict = field(default_factory=dict)


CASES = {
    "1-combined-gbk": Case(
        lambda con: layouts.combined_gbk(),
        {"益创年产7万吨差别化纤维项目": sept("4191.5", "41600", "主体结构施工"),
         "锦源商业综合体项目": sept("1583.5", "29497.5", "主体结构施工至6层"),
         "嘉朗年产2900万米高档纺织面料项目": sept("1186.6", "16577.5", "钢结构厂房吊装完成40%"),
         "洪兴西路（王江泾段）拓宽工程": sept("289.1", "5605", "沥青面层施工"),
         "王江泾镇美丽乡村精品线建设工程": sept("105.4", "1705", "灌溉泵站完工", "用地报批中")},
        plans={"益创年产7万吨差别化纤维项目": "52000"},
        kind="combined",
        reason="洪兴西路完成率为填表笔误，以金额为准",
        # 5605 / 5900 is 95%, the row says 85%: a warning naming both, on the file's row 7.
        warnings=[(7, "完成率", ("85", "95"))],
    ),
    "2-two-row-header-xlsx": Case(
        lambda con: layouts.two_row_header_xlsx(),
        {"隆基乐叶年产5GW单晶组件项目": sept("18000", "188000", "设备安装调试完成"),
         "嘉鸿年产1200台套智能装备项目": sept("3331", "40565", "试生产"),
         "凯腾年产1300台套智能装备项目": sept("2893", "23670", "主体结构施工", "钢结构进场滞后")},
        kind="combined",
    ),
    "2-two-row-header-csv": Case(
        lambda con: layouts.two_row_header_csv(),
        {"隆基乐叶年产5GW单晶组件项目": sept("18000", "188000", "设备安装调试完成"),
         "嘉鸿年产1200台套智能装备项目": sept("3331", "40565", "试生产"),
         "凯腾年产1300台套智能装备项目": sept("2893", "23670", "主体结构施工", "钢结构进场滞后")},
        kind="combined",
    ),
    "3-sheet-per-tier-xlsx": Case(
        lambda con: layouts.sheet_per_tier_xlsx(),
        {"秀园路改建工程": sept("5006", "35300", "沥青面层施工"),
         "高照杭州塘大桥改建工程": sept("3500", "37815", "路基完成30%"),
         "新塍杭州塘大桥改建工程": sept("1200", "11148", "沥青面层施工"),
         "新城西千亩港航道整治工程": sept("900", "11855", "护岸施工"),
         "油车港长水塘大桥改建工程": sept("62", "4150", "完成竣工验收"),
         "王江泾长水塘大桥改建工程": sept("350", "3288", "沥青面层施工")},
    ),
    "4-sheet-per-unit-xlsx": Case(
        lambda con: layouts.sheet_per_unit_xlsx(),
        {"高照运河小学新建工程": sept("3100", "15377", "主体结构封顶", stage="在建"),
         "新城中心幼儿园迁建工程": sept("600", "5125", "室外配套施工", "用地指标未落实",
                                        stage="在建"),
         "王江泾镇社区卫生服务中心新建工程": sept("1100", "12976", "装饰装修", stage="在建"),
         "洪合镇社区卫生服务中心新建工程": sept("700", "6241", "主体结构施工", stage="在建")},
    ),
    "5-month-only-csv": Case(
        lambda con: layouts.month_only_csv(),
        {"永盛现代农业园区建设项目": sept("650", "5756", "配套工程施工"),
         "锦诚现代农业园区建设项目": sept("420", "4280", "灌溉泵站完工"),
         "瑞联现代农业园区建设项目": sept("95.5", "760.5", "配套工程施工", "政策处理未完成"),
         "锦腾现代农业园区建设项目": sept("110.25", "1481.4", "沟渠及机耕路完成20%"),
         "昌腾现代农业园区建设项目": sept("0", "821", "土地平整")},
    ),
    "6-since-start-csv": Case(
        lambda con: layouts.since_start_csv(),
        {"隆基乐叶年产5GW单晶组件项目": sept("18000", "188000", since_start="188000"),
         "嘉鸿年产1200台套智能装备项目": sept("4743", "41977", since_start="157500"),
         "昌腾年产9万吨功能性薄膜项目": sept("3289", "35750", since_start="74320"),
         "秀园路改建工程": sept("5006", "35300", since_start="161560")},
    ),
    "7-yuan-header-csv": Case(
        lambda con: layouts.yuan_header_csv(),
        {"王江泾南官港综合整治工程": sept("1234.5678", "10933.0678", "管网铺设完成80%"),
         "塘汇祥符荡港综合整治工程": sept("987.6543", "8102.1543", "泵闸主体施工"),
         "洪合陶泾港综合整治工程": sept("646", "4732", "管网铺设完成80%")},
    ),
    "8-yi-list-xlsx": Case(
        lambda con: layouts.yi_list_xlsx(),
        {"隆基乐叶年产5GW单晶组件项目": sept("18000", "188000"),
         "益诚年产54万台新能源汽车电机项目": sept("3446.15", "51205"),
         "凯腾年产15万吨差别化纤维项目": sept("479", "43000"),
         "秀园路改建工程": sept("6156", "36450")},
        projects={
            "隆基乐叶年产5GW单晶组件项目": dict(project_type="产业项目", start_year=2020,
                                                end_year=2021),
            "益诚年产54万台新能源汽车电机项目": dict(project_type="产业项目", start_year=2020,
                                                    end_year=2022, total_investment=D(88000)),
            "凯腾年产15万吨差别化纤维项目": dict(project_type="产业项目", start_year=2019,
                                                end_year=2022, build_type="续建"),
            "秀园路改建工程": dict(project_type="基础设施", start_year=2018, end_year=2021),
        },
        kind="combined",
    ),
    "9-monthly-xls": Case(
        lambda con: layouts.monthly_xls(),
        {"永联商业综合体项目": sept("4000", "19725", "桩基完成100%",
                                    "用地指标已落实，待办理不动产证", stage="在建"),
         "凯诚商业综合体项目": sept("2500", "27454", "主体结构封顶", stage="在建"),
         "瑞源商业综合体项目": sept("1800", "18232", "完成竣工验收", stage="竣工"),
         "凯恒商业综合体项目": sept("1200", "9570", "地下室施工", stage="在建")},
        # Reports carry no completion date: the month first reported 竣工 stands in.
        projects={"瑞源商业综合体项目": dict(actual_completion=dt.date(2020, 9, 30))},
    ),
    "10-filled-template-xlsx": Case(
        lambda con: layouts.filled_template(
            templates.template(
                con, "progress", today=dt.date(2020, 10, 5), units=["王店镇人民政府"]
            )
        ),
        {"晟源年产6万吨食品包装材料项目": sept("1202.85", "5950", "主体结构施工", stage="在建"),
         "运河西路（王店段）拓宽工程": sept("3825", "26200", "沥青面层施工", stage="在建"),
         "王店天福港综合整治工程": sept("189", "1600", "护岸完成70%", "雨季影响施工",
                                        stage="在建")},
    ),
    "11-notes-below-csv": Case(
        lambda con: layouts.notes_below_csv(),
        {"新塍和园安置小区建设工程": sept("1687", "18750", "主体结构施工至3层"),
         "塘汇和园安置小区建设工程": sept("62", "15450", "完成竣工验收"),
         "嘉北街道农村生活污水治理提标改造工程": sept("1024", "8800", "管网铺设完成50%")},
    ),
    "12-group-rows-csv": Case(
        lambda con: layouts.group_rows_csv(),
        {"康和路（新城段）拓宽工程": sept("900", "10459", "路基完成60%"),
         "永川商业综合体项目": sept("700", "8126", "装饰装修"),
         "凯源年产14万台医疗器械项目": sept("600", "12652", "设备安装"),
         "新城街道美丽乡村精品线建设工程": sept("300", "3530", "配套工程完成80%")},
        kind="combined",
    ),
    "13-yuan-unlabelled-converted-csv": Case(
        lambda con: layouts.yuan_unlabelled_csv(),
        {"隆基乐叶年产5GW单晶组件项目": sept("1000", "171000", "设备安装调试"),
         "益诚年产54万台新能源汽车电机项目": sept("1241.15", "49000", "主体结构施工")},
        options={"convert_yuan": True},
    ),
    "14-two-categories-csv": Case(
        lambda con: layouts.two_categories_csv(),
        {},
        projects={
            "隆基乐叶年产5GW单晶组件项目": dict(project_type="产业项目"),
            "秀园路改建工程": dict(project_type="基础设施", category="交通运输"),
            "新塍和园安置小区建设工程": dict(project_type="社会民生", category="城乡建设"),
            "永盛现代农业园区建设项目": dict(project_type="产业项目"),
        },
        kind="register",
    ),
    "15-started-years-csv": Case(
        lambda con: layouts.started_years_csv(),
        {"隆基乐叶年产5GW单晶组件项目": sept("18000", "188000", started=True),
         "嘉鸿年产1200台套智能装备项目": sept("4743", "41977", started=True),
         "沈家桥圩区整治工程": sept("0", "1081.35", started=False),
         "洪合天福港综合整治工程": sept("0", "1266", started=False)},
        projects={
            "隆基乐叶年产5GW单晶组件项目": dict(start_year=2020, end_year=2021),
            "嘉鸿年产1200台套智能装备项目": dict(start_year=2017, end_year=2020),
            "沈家桥圩区整治工程": dict(start_year=2020, end_year=2022),
            "洪合天福港综合整治工程": dict(start_year=2019, end_year=2022),
        },
        kind="combined",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_real_layout_stores_exactly_its_figures_and_nothing_else(demo, case):
    before = state(demo)
    file = case.file(demo)
    preview = ingest.prepare(demo, file[1], file[0], user=SYSTEM, **case.options)
    found = [(p.row, p.column, p.message) for p in preview.warnings]
    assert len(found) == len(case.warnings), found
    for (row, column, words), (at, header, message) in zip(case.warnings, found, strict=True):
        assert (at, header) == (row, column) and all(w in message for w in words), message
    preview, batch = upload(demo, file, case.reason, **case.options)
    assert preview.parsed.kind == case.kind

    expected = copy.deepcopy(before)
    for name, fields in case.projects.items():
        expected["projects"][name] |= fields
    for name, plan in case.plans.items():
        expected["plans"][name] = D(plan)
    for name, row in case.progress.items():
        expected["progress"][(name, 2020, 9)] = row | {"batch_id": batch}
    after = state(demo)
    # The rows of the file first, so that a failure shows the figure that is wrong.
    for name in case.progress:
        assert after["progress"].get((name, 2020, 9)) == expected["progress"][(name, 2020, 9)]
    for name in set(case.projects) | set(case.plans):
        assert after["projects"][name] == expected["projects"][name]
        assert after["plans"][name] == expected["plans"][name]
    assert after == expected  # and every project the file does not name is as it was

    kind, reason = demo.execute("SELECT kind, reason FROM batches WHERE id = ?", [batch]).fetchone()
    assert (kind, reason) == (case.kind, case.reason)


def test_a_combined_table_shows_both_parts_and_takes_no_completion_rate(demo):
    name, data = layouts.combined_gbk()
    preview = ingest.prepare(demo, data, name, user=SYSTEM)
    assert ingest.KINDS["combined"] == "进展情况表（计划+月报）"
    assert preview.counts("register") == {"new": 0, "changed": 1, "unchanged": 4}
    assert preview.counts("progress") == {"new": 5, "changed": 0, "unchanged": 0}
    assert {r.part for r in preview.rows} == {"register", "progress"}
    fields = {c.header: c.field for c in preview.parsed.columns}
    assert fields["1-9月完成投资"] == "ytd" and fields["完成率"] == "rate_plan"
    assert (preview.parsed.year, preview.parsed.month) == (2020, 9)
    assert len(preview.parsed.records) == 5  # the 合计 row is no project


@pytest.mark.parametrize("build", [layouts.two_row_header_xlsx, layouts.two_row_header_csv])
def test_a_two_row_header_is_joined_over_its_merged_cells(demo, build):
    name, data = build()
    part = ingest.prepare(demo, data, name, user=SYSTEM).parsed.parts[0]
    assert (part.header_row, part.header_rows) == (4, 2)
    fields = {c.header: c.field for c in part.columns}
    assert fields["1-9月完成投资/金额（万元）"] == "ytd"
    assert fields["1-9月完成投资/占年度计划(%)"] == "rate_plan"
    assert fields["项目名称"] == "name" and fields["年度计划投资"] == "plan"


def test_every_sheet_with_a_table_is_read_and_the_others_are_listed_as_skipped(demo):
    name, data = layouts.sheet_per_tier_xlsx()
    parsed = ingest.prepare(demo, data, name, user=SYSTEM).parsed
    assert [p.sheet for p in parsed.parts] == ["省重点", "市重点", "区重点"]
    assert [s for s, _ in parsed.skipped] == ["说明"]
    assert all(re.search(r"[\u4e00-\u9fff]", why) for _, why in parsed.skipped)
    assert {r.sheet for r in parsed.records} == {"省重点", "市重点", "区重点"}
    name, data = layouts.sheet_per_unit_xlsx()
    parsed = ingest.prepare(demo, data, name, user=SYSTEM).parsed
    assert [(p.sheet, p.header_row) for p in parsed.parts] == [("区教育局", 3), ("区卫健局", 3)]


def test_money_typed_in_yuan_under_a_bare_header_is_flagged_with_its_wanyuan_figure(demo):
    name, data = layouts.yuan_unlabelled_csv()
    preview = ingest.prepare(demo, data, name, user=SYSTEM)
    assert preview.yuan_columns == ["年初至报告期累计完成投资"] and preview.converted == []
    yuan = [p for p in preview.warnings if p.rule == "yuan"]
    assert [(p.row, p.column) for p in yuan] == [(3, "年初至报告期累计完成投资"),
                                                (4, "年初至报告期累计完成投资")]  # fmt: skip
    assert "171,000" in yuan[0].message and "万元" in yuan[0].message
    with pytest.raises(ValidationFailed, match="确认警告需填写理由"):
        ingest.commit(demo, preview, SYSTEM, accept_warnings=True)
    converted = ingest.prepare(demo, data, name, user=SYSTEM, convert_yuan=True)
    assert converted.converted == ["年初至报告期累计完成投资"] and converted.warnings == []
    batch = ingest.commit(demo, converted, SYSTEM)
    stored = demo.execute("SELECT converted FROM batches WHERE id = ?", [batch]).fetchone()[0]
    assert stored == ["年初至报告期累计完成投资"]


REFUSED = {
    "1e300": (layouts.oversized_number_csv, 5, {"本月完成投资"}, None),
    "ytd-below-amount": (layouts.ytd_below_amount_csv, 3,
                         {"本月完成投资（万元）", "累计完成投资（万元）"}, None),
    "since-start-below-ytd": (layouts.since_start_below_ytd_csv, 3,
                              {"开工至报告期累计完成投资（万元）"}, None),
    "one-bad-sheet-of-two": (layouts.one_bad_sheet_xlsx, 3, {"本月完成投资（万元）"}, "市重点"),
}  # fmt: skip


@pytest.mark.parametrize(("build", "row", "columns", "sheet"), REFUSED.values(), ids=REFUSED)
def test_a_refused_file_names_row_and_column_and_changes_nothing(demo, build, row, columns, sheet):
    name, data = build()
    before, last = dump(demo), demo.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    preview = ingest.prepare(demo, data, name, user=SYSTEM)  # no traceback: problems instead
    here = [p for p in preview.errors if p.row == row and p.column in columns and p.sheet == sheet]
    assert here, [str(p) for p in preview.problems]
    text = str(here[0])
    assert f"第{row}行" in text and f"「{here[0].column}」" in text, text
    assert re.search(r"[\u4e00-\u9fff]{2}", here[0].message), text
    assert not re.search(r"Traceback|Error|Exception|Invalid", text), text
    with pytest.raises(ValidationFailed):
        ingest.commit(demo, preview, SYSTEM, accept_warnings=True, reason="试图强行导入")
    # The attempt is in the audit log (one 'upload'), and nothing else changed at all.
    logged = demo.execute("SELECT action FROM audit_log WHERE id > ? ORDER BY id", [last or 0])
    assert logged.fetchall() == [("upload",)]
    after = dump(demo)
    assert after.pop("audit_log").startswith(before.pop("audit_log"))
    assert after == before
