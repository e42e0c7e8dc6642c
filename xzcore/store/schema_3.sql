-- Migration 3: real files (issue 10). A combined 进展情况表 is one batch of its own kind; a
-- warning accepted needs a reason kept on the batch; columns an upload converted from 元.
-- DuckDB cannot alter a CHECK constraint: batches is rebuilt with its rows and ids.
CREATE TABLE batches_3 (
    id          INTEGER PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    kind        VARCHAR NOT NULL CHECK (kind IN ('register', 'progress', 'combined')),
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    year        SMALLINT NOT NULL,
    month       TINYINT CHECK (month BETWEEN 1 AND 12),   -- NULL for a register (whole year)
    row_count   INTEGER NOT NULL,
    user_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    undone_at   TIMESTAMP,
    undone_by   VARCHAR,
    reason      VARCHAR,          -- why the warnings were accepted (核实性审核), as typed
    converted   VARCHAR[]         -- headers of the columns converted from 元 to 万元
);
INSERT INTO batches_3 (id, kind, file_name, sha256, year, month, row_count, user_name,
                       created_at, undone_at, undone_by)
    SELECT id, kind, file_name, sha256, year, month, row_count, user_name, created_at,
           undone_at, undone_by FROM batches;
DROP TABLE batches;
ALTER TABLE batches_3 RENAME TO batches;

-- 项目类别 (e.g. 产业项目 / 基础设施 / 社会民生) beside 行业类别 (category): registers carry either
-- or both, and districts publish breakdowns by each. 建设起止年限 as two years.
ALTER TABLE projects ADD COLUMN project_type VARCHAR;
ALTER TABLE projects ADD COLUMN start_year SMALLINT;
ALTER TABLE projects ADD COLUMN end_year SMALLINT;
ALTER TABLE projects_before ADD COLUMN project_type VARCHAR;
ALTER TABLE projects_before ADD COLUMN start_year SMALLINT;
ALTER TABLE projects_before ADD COLUMN end_year SMALLINT;

-- 开工至报告期累计完成投资 (since the start, all years) and 是否开工 as the month's report says.
ALTER TABLE progress ADD COLUMN since_start DECIMAL(18, 4);
ALTER TABLE progress ADD COLUMN started BOOLEAN;
ALTER TABLE progress_before ADD COLUMN since_start DECIMAL(18, 4);
ALTER TABLE progress_before ADD COLUMN started BOOLEAN;

-- A column mapped by hand on the upload page, remembered for that unit's layout: next month's
-- file with the same headers maps itself. unit '' is the office's (all units) own layouts.
CREATE SEQUENCE column_map_id_seq START 1;
CREATE TABLE column_maps (
    id          INTEGER PRIMARY KEY DEFAULT nextval('column_map_id_seq'),
    unit        VARCHAR NOT NULL,
    layout      VARCHAR NOT NULL,     -- xzcore.ingest.parse: a digest of the sheet's header names
    header      VARCHAR NOT NULL,     -- the header as the file writes it (joined over header rows)
    field       VARCHAR NOT NULL,     -- a field of xzcore.ingest.headers.ALIASES, or 'ignore'
    created_by  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (unit, layout, header)
);
