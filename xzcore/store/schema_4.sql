-- Migration 4: the monthly cycle 报送 → 审核 → 发布 (DESIGN.md §6, xzcore/cycle).
-- A month is 已发布 once it has a version. Each version freezes the month in a schema of its
-- own (pub_YYYY_MM_vN) holding copies of projects, plans, targets, progress to that month,
-- settings and light snapshots as they stood: pages, slides, bulletin and CLI read a published
-- month there, so no later upload, undo or rule change moves it. A change is a correction:
-- version N+1 with a reason and what changed; earlier versions stay readable.
CREATE TABLE month_versions (
    year          SMALLINT NOT NULL,
    month         TINYINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    version       INTEGER NOT NULL,
    schema_name   VARCHAR NOT NULL UNIQUE,
    published_at  TIMESTAMP NOT NULL,
    published_by  VARCHAR NOT NULL,
    reason        VARCHAR,          -- a correction's reason (更正原因); NULL for version 1
    changes       JSON,             -- a correction: the projects whose figures or light changed
    projects      INTEGER NOT NULL, -- projects planned that year
    reported      INTEGER NOT NULL, -- of them, with a report for this month (已报送)
    PRIMARY KEY (year, month, version)
);

-- The office's review of a unit's month: 已确认, or 退回 with the reason the unit's staff see.
-- One row a unit and month (the latest word); the audit log keeps the history.
CREATE TABLE unit_reviews (
    year       SMALLINT NOT NULL,
    month      TINYINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    unit       VARCHAR NOT NULL,
    state      VARCHAR NOT NULL CHECK (state IN ('confirmed', 'returned')),
    reason     VARCHAR,
    user_name  VARCHAR NOT NULL,
    reviewed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, month, unit)
);
