-- Migration 1: the project model. Money is 万元 as DECIMAL(18,4) (exact to 1 元): sums never drift.
-- No FOREIGN KEY constraints: DuckDB refuses to update any indexed column (a project's name or
-- code) of a row that a foreign key references, and refuses to delete and re-insert it in one
-- transaction, which undo needs. xzcore.ingest is the only writer and keeps the references whole.
CREATE SEQUENCE project_id_seq START 1;
CREATE SEQUENCE batch_id_seq START 1;

CREATE TABLE projects (
    id                  INTEGER PRIMARY KEY DEFAULT nextval('project_id_seq'),
    code                VARCHAR UNIQUE,              -- 项目代码, optional
    name                VARCHAR NOT NULL UNIQUE,     -- 项目名称
    tier                VARCHAR,                     -- 省重点 / 市重点 / 区重点 ...
    category            VARCHAR,                     -- 行业/类别
    township            VARCHAR,                     -- 镇街道
    unit                VARCHAR,                     -- 责任单位
    leader              VARCHAR,                     -- 联系区领导 (by title)
    owner               VARCHAR,                     -- 项目业主
    build_type          VARCHAR CHECK (build_type IN ('新建', '续建')),
    total_investment    DECIMAL(18, 4) CHECK (total_investment >= 0),
    planned_start       DATE,
    planned_completion  DATE,
    actual_start        DATE,
    actual_completion   DATE,
    lon                 DOUBLE,
    lat                 DOUBLE
);

-- Upload batches: every change of figures belongs to one, so it can be listed and undone.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY DEFAULT nextval('batch_id_seq'),
    kind        VARCHAR NOT NULL CHECK (kind IN ('register', 'progress')),
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    year        SMALLINT NOT NULL,
    month       TINYINT CHECK (month BETWEEN 1 AND 12),   -- NULL for a register (whole year)
    row_count   INTEGER NOT NULL,
    user_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    undone_at   TIMESTAMP,
    undone_by   VARCHAR
);

CREATE TABLE annual_plans (
    project_id  INTEGER NOT NULL,
    year        SMALLINT NOT NULL,
    plan        DECIMAL(18, 4) NOT NULL CHECK (plan >= 0),    -- 年度计划投资
    batch_id    INTEGER,
    PRIMARY KEY (project_id, year)
);

-- Monthly targets, always stored cumulative (1月…m月); per-month uploads are summed on the way in.
CREATE TABLE monthly_targets (
    project_id  INTEGER NOT NULL,
    year        SMALLINT NOT NULL,
    month       TINYINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    target_cum  DECIMAL(18, 4) NOT NULL CHECK (target_cum >= 0),
    PRIMARY KEY (project_id, year, month)
);

CREATE TABLE progress (
    project_id      INTEGER NOT NULL,
    year            SMALLINT NOT NULL,
    month           TINYINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    amount          DECIMAL(18, 4),              -- 本月完成投资
    ytd             DECIMAL(18, 4) NOT NULL CHECK (ytd >= 0),   -- 年初至报告期累计完成投资
    stage           VARCHAR CHECK (stage IN ('签约', '开工', '在建', '竣工', '投运')),
    image_progress  VARCHAR,                     -- 形象进度
    problems        VARCHAR,                     -- 存在问题
    batch_id        INTEGER,
    PRIMARY KEY (project_id, year, month)
);

-- Lights as published each month, with the rule preset and schedule mode that produced them.
CREATE TABLE light_snapshots (
    project_id      INTEGER NOT NULL,
    year            SMALLINT NOT NULL,
    month           TINYINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    preset          VARCHAR NOT NULL,
    schedule_mode   VARCHAR NOT NULL CHECK (schedule_mode IN ('calendar', 'plan')),
    thresholds      VARCHAR NOT NULL,            -- JSON of the thresholds in force
    light           VARCHAR NOT NULL CHECK (light IN ('green', 'yellow', 'red')),
    reason          VARCHAR NOT NULL,
    completion_rate DOUBLE,
    lag_pp          DOUBLE,
    computed_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (project_id, year, month)
);

-- Settings an admin may change: the light preset in force, its thresholds, the schedule mode.
CREATE TABLE settings (
    key     VARCHAR PRIMARY KEY,
    value   VARCHAR NOT NULL
);

-- Undo: the keys each batch wrote, and the rows as they were before it (none for a new key).
CREATE TABLE batch_touches (
    batch_id    INTEGER NOT NULL,
    tbl         VARCHAR NOT NULL CHECK (tbl IN ('projects', 'annual_plans', 'monthly_targets', 'progress')),
    project_id  INTEGER NOT NULL,
    year        SMALLINT,          -- NULL for projects
    month       TINYINT            -- set for progress only; targets are replaced a year at a time
);
CREATE TABLE projects_before AS SELECT CAST(NULL AS INTEGER) AS batch_id, * FROM projects WHERE FALSE;
CREATE TABLE annual_plans_before AS SELECT CAST(NULL AS INTEGER) AS batch_id, * FROM annual_plans WHERE FALSE;
CREATE TABLE monthly_targets_before AS SELECT CAST(NULL AS INTEGER) AS batch_id, * FROM monthly_targets WHERE FALSE;
CREATE TABLE progress_before AS SELECT CAST(NULL AS INTEGER) AS batch_id, * FROM progress WHERE FALSE;
