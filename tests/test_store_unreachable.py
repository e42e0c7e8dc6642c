"""A PostgreSQL store that stops answering: one Chinese line that never shows the password, and
the same process carries on once the server is back, without a restart."""

from __future__ import annotations

import pytest

from tests.pgserver import PgServer
from xzcore.store import db, faults, postgres

SECRET = "s3cret-pw"


def test_an_unreachable_server_is_one_chinese_line_and_the_connection_recovers():
    with PgServer(dbname="xz") as server:
        target = f"postgres:{server.conninfo} password={SECRET}"  # trust auth: never checked
        con = db.connect(target)
        assert con.execute("SELECT count(*) FROM projects").fetchall() == [(0,)]
        server.pause()
        with pytest.raises(db.DatabaseError) as lost:  # a query on the open connection
            con.execute("SELECT count(*) FROM projects").fetchall()
        assert faults.explain(lost.value) == postgres.UNREACHABLE
        with pytest.raises(postgres.DatabaseUnreachable) as refused:  # a new connection
            db.connect(target)
        assert str(refused.value) == postgres.UNREACHABLE and SECRET not in str(refused.value)
        assert faults.explain(refused.value) == postgres.UNREACHABLE
        assert SECRET not in db.shown(target) and "password=***" in db.shown(target)
        server.resume()
        assert con.execute("SELECT count(*) FROM projects").fetchall() == [(0,)]
        con.close()
