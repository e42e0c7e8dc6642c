"""An upload is in the audit log once, written by the page outside any cache: the cached
preview writes nothing, and reruns of the page (ticking, typing) add no line."""

from __future__ import annotations

from tests.reports import september
from tests.test_upload_page import button, open_page, upload
from xzcore import auth, ingest
from xzcore.store import db


def _uploads(path) -> list[tuple]:
    with db.connect(path) as con:  # as the page opened it: one process, one configuration
        return con.execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'upload' ORDER BY id"
        ).fetchall()


def test_the_preview_a_page_caches_writes_nothing(app_db):
    data, _ = september(app_db)
    office = auth.User("office", "区重点办", "office")
    with db.connect(app_db) as con:
        before = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        preview = ingest.plan_upload(con, data, "9月月报.csv", user=office)
        assert preview.rows and not preview.errors
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
        ingest.prepare(con, data, "9月月报.csv", user=office)  # the CLI's call audits
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before + 1


def test_a_previewed_file_is_audited_once_however_often_the_page_reruns(app_db):
    data, _ = september(app_db)
    at = upload(open_page(), "9月月报.csv", data)
    assert "确认导入" in [b.label for b in at.button]
    at.run()
    at.run()
    button(at, "确认导入").click().run()
    assert not at.exception
    [(actor, detail)] = _uploads(app_db)
    assert actor == "office" and '"file": "9月月报.csv"' in detail and '"errors": 0' in detail


def test_an_unreadable_file_is_audited_once_with_why(app_db):
    at = upload(open_page(), "坏文件.xlsx", b"PK\x03\x04 not a workbook")
    assert at.error
    at.run()
    [(actor, detail)] = _uploads(app_db)
    assert actor == "office" and "unreadable" in detail
