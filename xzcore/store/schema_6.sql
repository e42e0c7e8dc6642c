-- Migration 6: milestones (节点, 倒排工期, DESIGN.md §9, xzcore/nodes).
-- Templates are data an admin edits; a project takes one (from its 建设性质/category, or as the
-- admin sets) and its nodes get planned dates counted back from a target date (倒排), then
-- adjusted by hand or from a node file. Actual dates the monthly reports already give (the
-- stage, 实际开工/竣工日期) are read from progress and projects when the nodes are read, not
-- copied here: undoing a report then undoes them too. No FOREIGN KEY, as in migration 1.

CREATE TABLE node_templates (
    name         VARCHAR PRIMARY KEY,          -- 产业项目 / 政府投资项目 / 续建
    position     SMALLINT NOT NULL,
    description  VARCHAR
);

-- A template's nodes in order. days: the default days from the node before (倒排 counts back
-- from the target node by these). stage: the pipeline step the node marks (签约 → 开工 →
-- 竣工 → 投运), at most one node each. target: the node the project's target date is for.
CREATE TABLE node_template_steps (
    template     VARCHAR NOT NULL,
    position     SMALLINT NOT NULL CHECK (position >= 1),
    name         VARCHAR NOT NULL,
    stage        VARCHAR CHECK (stage IN ('签约', '开工', '竣工', '投运')),
    days         INTEGER NOT NULL CHECK (days BETWEEN 0 AND 3650),
    target       BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (template, position)
);

-- The template a project follows and the target date its nodes were scheduled back from.
CREATE TABLE project_node_plans (
    project_id   INTEGER PRIMARY KEY,
    template     VARCHAR NOT NULL,
    target       DATE,
    set_by       VARCHAR NOT NULL,
    set_at       TIMESTAMP NOT NULL
);

-- A project's nodes: planned (倒排, then adjusted), actual (when done), the unit answering for
-- it (NULL: the project's 责任单位), a note. batch_id: the node file that set the row last
-- (NULL once edited by hand), which decides whether that file can still be undone.
CREATE TABLE project_nodes (
    project_id   INTEGER NOT NULL,
    position     SMALLINT NOT NULL,
    name         VARCHAR NOT NULL,
    stage        VARCHAR CHECK (stage IN ('签约', '开工', '竣工', '投运')),
    planned      DATE,
    actual       DATE,
    unit         VARCHAR,
    note         VARCHAR,
    batch_id     INTEGER,
    updated_by   VARCHAR NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (project_id, name)
);

-- Node files: one batch a file; undo puts back the rows as they were before it.
CREATE TABLE node_batches (
    id           INTEGER PRIMARY KEY,
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    row_count    INTEGER NOT NULL,
    user_name    VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    undone_at    TIMESTAMP,
    undone_by    VARCHAR
);
CREATE TABLE node_batch_touches (
    batch_id     INTEGER NOT NULL,
    project_id   INTEGER NOT NULL,
    name         VARCHAR NOT NULL
);
CREATE TABLE project_nodes_before AS
    SELECT CAST(NULL AS INTEGER) AS before_batch, * FROM project_nodes WHERE FALSE;

-- Settings an admin may change (days); absent keys take the defaults in code (临期 15 days).
CREATE TABLE node_settings (
    key          VARCHAR PRIMARY KEY,
    value        INTEGER NOT NULL
);

-- The templates of DESIGN.md §9; an admin may rename, reorder, add and remove nodes.
INSERT INTO node_templates VALUES
    ('产业项目', 1, '工业、制造业等企业投资项目：签约落地到投产达产'),
    ('政府投资项目', 2, '基础设施、社会民生等政府投资项目：立项到交付使用'),
    ('续建', 3, '上年已开工的续建项目：只余开工之后的节点');
INSERT INTO node_template_steps VALUES
    ('产业项目', 1, '签约', '签约', 0, FALSE),
    ('产业项目', 2, '供地', NULL, 60, FALSE),
    ('产业项目', 3, '备案', NULL, 20, FALSE),
    ('产业项目', 4, '环评/能评', NULL, 30, FALSE),
    ('产业项目', 5, '规划许可', NULL, 30, FALSE),
    ('产业项目', 6, '施工许可', NULL, 30, FALSE),
    ('产业项目', 7, '开工入库', '开工', 15, FALSE),
    ('产业项目', 8, '主体结顶', NULL, 180, FALSE),
    ('产业项目', 9, '设备安装', NULL, 60, FALSE),
    ('产业项目', 10, '竣工', '竣工', 60, TRUE),
    ('产业项目', 11, '投产', '投运', 30, FALSE),
    ('产业项目', 12, '达产/上规', NULL, 180, FALSE),
    ('政府投资项目', 1, '立项/可研批复', NULL, 0, FALSE),
    ('政府投资项目', 2, '用地与规划', NULL, 60, FALSE),
    ('政府投资项目', 3, '初步设计及概算', NULL, 45, FALSE),
    ('政府投资项目', 4, '施工许可', NULL, 45, FALSE),
    ('政府投资项目', 5, '开工', '开工', 15, FALSE),
    ('政府投资项目', 6, '主体完工', NULL, 270, FALSE),
    ('政府投资项目', 7, '竣工验收', '竣工', 90, TRUE),
    ('政府投资项目', 8, '交付使用', '投运', 30, FALSE),
    ('续建', 1, '主体完工', NULL, 0, FALSE),
    ('续建', 2, '设备安装/配套完善', NULL, 60, FALSE),
    ('续建', 3, '竣工验收', '竣工', 60, TRUE),
    ('续建', 4, '投产/交付使用', '投运', 30, FALSE);
