-- Migration 5: problems to coordinate (问题协调 / 督办, DESIGN.md §8, xzcore/problems).
-- A problem is handed to a lead unit with a deadline and chased until the office closes it.
-- The row holds where it stands now; problem_events holds every step (notes, 批示, reviews),
-- which is its history and what the colours are computed from. No FOREIGN KEY to projects,
-- for the reason given in migration 1 (undo re-inserts projects).
CREATE SEQUENCE problem_id_seq START 1;
CREATE SEQUENCE problem_event_id_seq START 1;

CREATE TABLE problems (
    id            INTEGER PRIMARY KEY DEFAULT nextval('problem_id_seq'),  -- 编号
    project_id    INTEGER,                    -- 项目 (NULL: not tied to one project)
    source        VARCHAR NOT NULL CHECK (source IN ('月报', '现场办公', '领导交办', '单位反映')),
    category      VARCHAR NOT NULL CHECK (category IN ('用地', '资金', '审批手续', '征迁',
                                  '要素保障（水电气路）', '施工环境', '其他')),  -- 类型
    description   VARCHAR NOT NULL,           -- 描述
    request       VARCHAR,                    -- 需协调事项
    lead_unit     VARCHAR,                    -- 主办单位 (set by 交办 at the latest)
    support_units VARCHAR[] NOT NULL DEFAULT [],  -- 协办单位
    leader        VARCHAR,                    -- 协调区领导 (by title, as projects.leader)
    raised_on     DATE NOT NULL,              -- 提出日期
    due_on        DATE,                       -- 办结时限 (set by 交办 at the latest)
    state         VARCHAR NOT NULL CHECK (state IN ('待交办', '已交办', '办理中', '申请办结',
                                                    '已办结', '暂缓')),
    closure       VARCHAR CHECK (closure IN ('实质性办结', '程序性办结')),  -- 办结方式
    held_from     VARCHAR,                    -- the state a 暂缓 problem resumes to
    origin_year   SMALLINT,                   -- a proposal from a monthly report: its month
    origin_month  TINYINT,
    batch_id      INTEGER,                    -- the 问题台账 import that added it, if any
    created_by    VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    assigned_at   TIMESTAMP,                  -- 交办
    last_note_at  TIMESTAMP,                  -- the unit's latest progress note
    returned_at   TIMESTAMP,                  -- the latest 退回, until the next 申请办结
    closed_at     TIMESTAMP                   -- 销号
);

-- Every step, oldest first: kind create / assign / note / request / close / return / hold /
-- resume / instruct (a leader's 批示, shown apart from the notes) / edit.
CREATE TABLE problem_events (
    id           INTEGER PRIMARY KEY DEFAULT nextval('problem_event_id_seq'),
    problem_id   INTEGER NOT NULL,
    kind         VARCHAR NOT NULL,
    "at"         TIMESTAMP NOT NULL,
    user_name    VARCHAR NOT NULL,
    display_name VARCHAR,
    role         VARCHAR,
    text         VARCHAR,
    state        VARCHAR NOT NULL             -- the problem's state after the step
);

-- A 存在问题 text of a monthly report the office chose not to open as a problem: it is not
-- offered again unless the text changes.
CREATE TABLE problem_dismissals (
    project_id   INTEGER NOT NULL,
    year         SMALLINT NOT NULL,
    month        TINYINT NOT NULL,
    text         VARCHAR NOT NULL,
    user_name    VARCHAR NOT NULL,
    "at"         TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, year, month)
);

-- The 三色督办 thresholds an admin may change (days); absent keys take the defaults in code.
CREATE TABLE problem_settings (
    key    VARCHAR PRIMARY KEY,
    value  INTEGER NOT NULL
);

-- 问题台账 imports: one batch a file, undone by deleting the problems it added.
CREATE TABLE problem_batches (
    id          INTEGER PRIMARY KEY,
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    row_count   INTEGER NOT NULL,
    user_name   VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    undone_at   TIMESTAMP,
    undone_by   VARCHAR
);
