"""Remembered column mappings: kept per unit and layout, replaced, listed, removed by an admin only,
and every write and refusal in the audit log."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from tests.markdown import shown
from tests.reports import september
from tests.test_upload_page import button, open_page, upload
from xzcore.auth import PermissionDenied, User
from xzcore.errors import BadArgument
from xzcore.ingest import mappings
from xzcore.store import audit, db

OFFICE = User("office1", "测试员", "office")
ADMIN = User("admin1", "管理员", "admin")
STAFF = User("wjj", "王江泾镇填报员", "staff", ("王江泾镇人民政府", "王江泾镇城建办"))
VIEWER = User("leader", "区领导", "viewer")
JOINED = "1-9月完成投资/金额"


def test_a_mapping_is_kept_per_unit_and_layout_and_a_new_choice_replaces_the_old(con):
    kept = mappings.remember(con, OFFICE, "", "abc", {JOINED: "ytd", "备注": "不使用"})
    assert kept == 2
    assert mappings.recall(con, "", "abc") == {JOINED: "ytd", "备注": "ignore"}
    assert mappings.recall(con, "", "other layout") == {}
    assert mappings.recall(con, "王江泾镇人民政府", "abc") == {}
    # the Chinese label is as good as the key; the same header again replaces, never duplicates
    mappings.remember(con, ADMIN, "", "abc", {JOINED: "开工至今累计完成投资"})
    assert mappings.recall(con, "", "abc") == {JOINED: "since_start", "备注": "ignore"}
    listed = mappings.listing(con)
    assert [(m["unit"], m["header"], m["field"], m["created_by"]) for m in listed] == [
        ("", JOINED, "since_start", "admin1"),
        ("", "备注", "ignore", "office1"),
    ]
    log = audit.query(con, action="column_map")
    assert log["actor"].tolist() == ["admin1", "office1"]
    assert '"unit": ""' in log["detail"].iloc[0] and "since_start" in log["detail"].iloc[0]


def test_staff_remember_for_their_own_units_only(con):
    assert mappings.unit_of(STAFF) == "王江泾镇人民政府"
    assert mappings.unit_of(OFFICE) == mappings.unit_of(ADMIN) == ""
    mappings.remember(con, STAFF, "王江泾镇城建办", "abc", {JOINED: "ytd"})
    assert mappings.recall(con, "王江泾镇城建办", "abc") == {JOINED: "ytd"}
    with pytest.raises(PermissionDenied, match="只能记住本单位的列对应"):
        mappings.remember(con, STAFF, "", "abc", {JOINED: "amount"})
    with pytest.raises(PermissionDenied, match="无权上传数据"):
        mappings.remember(con, VIEWER, "", "abc", {JOINED: "amount"})
    assert mappings.recall(con, "", "abc") == {}
    denied = audit.query(con, action="denied")
    assert denied["actor"].tolist() == ["leader", "wjj"]


def test_an_unknown_field_is_refused_and_nothing_is_kept(con):
    with pytest.raises(BadArgument, match="没有字段“完成额”"):
        mappings.remember(con, OFFICE, "", "abc", {"甲": "ytd", JOINED: "完成额"})
    assert mappings.listing(con) == []
    assert audit.query(con, action="column_map").empty
    assert mappings.remember(con, OFFICE, "", "abc", {}) == 0


def test_only_an_admin_forgets_a_mapping_and_the_log_says_which(con):
    mappings.remember(con, OFFICE, "", "abc", {JOINED: "ytd", "备注": "ignore"})
    first = mappings.listing(con)[0]
    for someone in (OFFICE, STAFF, None):
        with pytest.raises(PermissionDenied, match="无权删除列对应记忆"):
            mappings.forget(con, someone, first["id"])
    assert len(mappings.listing(con)) == 2
    gone = mappings.forget(con, ADMIN, first["id"])
    assert gone["header"] == JOINED
    assert mappings.recall(con, "", "abc") == {"备注": "ignore"}
    with pytest.raises(BadArgument, match=f"没有列对应记忆#{first['id']}"):
        mappings.forget(con, ADMIN, first["id"])
    log = audit.query(con, action="column_map_forget")
    assert log["actor"].tolist() == ["admin1"] and JOINED in log["detail"].iloc[0]


def test_labels_read_both_ways():
    assert mappings.field_label("ignore") == "不使用"
    assert mappings.field_key(mappings.field_label("since_start")) == "since_start"
    assert mappings.field_key(" ytd ") == "ytd"
    assert mappings.unit_text("") == "区重点办（全部单位）"


# ---- on the pages: the upload page's 手动指定列, and the admin page 列对应记忆

ODD = "本月工程进展说明"  # no alias knows it: the column is unused until mapped
WORDS = ["桩基施工", "主体结构封顶", "设备进场"]


def _odd_report(app_db) -> bytes:
    """September's report with a 形象进度 column under a header of the unit's own."""
    report, _ = september(app_db)
    lines = report.decode("gbk").split("\r\n")
    lines[2] += f",{ODD}"
    for i, words in enumerate(WORDS, start=3):
        lines[i] += f",{words}"
    lines[6] += ","  # 合计
    return "\r\n".join(lines).encode("gbk")


def _rows(at: AppTest):
    return next(d.value for d in at.dataframe if "处理" in d.value.columns)


def _read(at: AppTest):
    return next(d.value for d in at.dataframe if "文件表头" in d.value.columns)


def test_a_hand_mapping_re_reads_the_file_and_is_remembered_for_next_month(app_db):
    data = _odd_report(app_db)
    at = upload(open_page(), "月报.csv", data)
    assert "形象进度" not in _rows(at).columns
    assert ODD in " ".join(c.value for c in at.caption)  # listed as unused
    chooser = next(s for s in at.selectbox if shown(s.label) == ODD)
    assert chooser.value == "ignore"
    chooser.set_value("image_progress")
    button(at, "按此对应重新识别").click().run()
    assert not at.exception
    read = _read(at)
    assert read[read["文件表头"] == ODD]["对应字段"].tolist() == ["形象进度"]
    assert _rows(at)["形象进度"].tolist() == WORDS
    assert "确认导入后将记住" in shown(" ".join(c.value for c in at.caption))
    button(at, "确认导入").click().run()
    assert "下次同样格式的文件将自动对应" in shown(at.success[0].value)
    with db.connect(app_db) as con:
        kept = mappings.listing(con)
        stored = con.execute(
            "SELECT image_progress FROM progress WHERE year = 2020 AND month = 9"
            " ORDER BY project_id"
        ).fetchall()
    assert [(m["unit"], m["header"], m["field"], m["created_by"]) for m in kept] == [
        ("", ODD, "image_progress", "office")
    ]
    assert [r[0] for r in stored] == WORDS
    # the next file laid out the same way maps itself, and the page says why
    again = upload(
        at, "月报（更正）.csv", data.replace("桩基施工".encode("gbk"), "桩基完成".encode("gbk"))
    )
    read = _read(again)
    assert read[read["文件表头"] == ODD]["对应字段"].tolist() == ["形象进度"]
    assert "已套用本单位上次手动指定的列对应" in shown(" ".join(c.value for c in again.caption))
    assert _rows(again)["形象进度"].tolist()[0] == "桩基施工 → 桩基完成"


def test_resetting_a_hand_mapping_reads_the_file_as_before(app_db):
    data = _odd_report(app_db)
    at = upload(open_page(), "月报.csv", data)
    next(s for s in at.selectbox if shown(s.label) == ODD).set_value("image_progress")
    button(at, "按此对应重新识别").click().run()
    assert "形象进度" in _rows(at).columns
    button(at, "恢复自动识别").click().run()
    assert "形象进度" not in _rows(at).columns
    assert next(s for s in at.selectbox if shown(s.label) == ODD).value == "ignore"


def _admin_page(username: str = "admin") -> AppTest:
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), username)
    at.switch_page("pages/column_maps.py").run()
    return at


def test_the_admin_page_lists_remembered_mappings_and_removes_one(app_db):
    with db.connect(app_db) as con:
        mappings.remember(con, OFFICE, "", "layout-a", {ODD: "image_progress"})
        mappings.remember(con, OFFICE, "王江泾镇人民政府", "layout-b", {"备注": "ignore"})
    at = _admin_page()
    assert not at.exception and at.title[0].value == "列对应记忆"
    listed = at.dataframe[0].value
    assert listed.columns.tolist() == [
        "编号",
        "单位",
        "表头格式",
        "文件表头",
        "对应字段",
        "记录人",
        "时间",
    ]
    assert listed[["单位", "文件表头", "对应字段", "记录人"]].values.tolist() == [
        ["区重点办（全部单位）", ODD, "形象进度", "office1"],
        ["王江泾镇人民政府", "备注", "不使用", "office1"],
    ]
    assert button(at, "删除").disabled  # not before it is confirmed
    at.selectbox[0].set_value(int(listed["编号"].iloc[0])).run()
    next(c for c in at.checkbox if c.label.startswith("确认删除")).check().run()
    button(at, "删除").click().run()
    assert not at.exception
    assert f"已删除列对应记忆：#{listed['编号'].iloc[0]}" in shown(at.success[0].value)
    assert at.dataframe[0].value["文件表头"].tolist() == ["备注"]
    with db.connect(app_db) as con:
        log = audit.query(con, action="column_map_forget")
    assert log["actor"].tolist() == ["admin"] and ODD in log["detail"].iloc[0]


def test_only_an_admin_opens_the_mappings_page(app_db):
    for username in ("office", "staff", "leader"):
        at = _admin_page(username)
        assert "没有打开" in at.error[0].value, username
        assert not at.dataframe
