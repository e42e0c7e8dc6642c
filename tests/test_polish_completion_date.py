"""Issue 14 item 17: a report that marks a project 竣工 says, before the import, which date will
stand for its 实际竣工日期 (the report month's last day), instead of filling it silently."""

from __future__ import annotations

import datetime as dt

import duckdb
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from xzcore import ingest

HEADER = "项目代码,项目名称,本月完成投资（万元）,年初至报告期累计完成投资（万元）,项目阶段\n"


def _september(con, stages=("竣工", "在建")) -> bytes:
    """September for the first demo projects: 100万元 more each, with the given stages."""
    august = con.execute(
        """SELECT p.code, p.name, g.ytd FROM projects p JOIN progress g
           ON g.project_id = p.id AND g.year = 2020 AND g.month = 8
           WHERE p.actual_completion IS NULL ORDER BY p.id LIMIT ?""",
        [len(stages)],
    ).fetchall()
    lines = [f"{c},{n},100,{ytd + 100},{s}" for (c, n, ytd), s in zip(august, stages, strict=True)]
    return (HEADER + "\n".join(lines) + "\n").encode()


def test_the_preview_lists_the_projects_given_a_completion_date(demo_con):
    preview = ingest.prepare(demo_con, _september(demo_con), "月报_2020年9月.csv")
    (done,) = preview.dated_completions
    assert done.changes["actual_completion"] == (None, dt.date(2020, 9, 30))
    assert done.write["stage"] == "竣工"


def test_the_upload_page_says_the_date(app_db):
    con = duckdb.connect(str(app_db), read_only=True)  # closed before the page opens the file
    try:
        data = _september(con)
    finally:
        con.close()
    at = log_in(AppTest.from_file(ROOT / "dashboard.py", default_timeout=60).run(), "office")
    at.switch_page("pages/upload.py").run()
    at.file_uploader[0].set_value(("月报_2020年9月.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    note = next(i.value for i in at.info if "竣工" in i.value)
    assert "实际竣工日期记为 2020-09-30" in note and "本月报为竣工或投运" in note
