// The schema's history as data: entry n takes a database from version n to n + 1 (SQLite's user_version).
// Shipped entries are what existing databases ran, so they never change (test/store/migrations.test.ts pins them).

/** Each entry moves the schema one version up; never edit a shipped entry, add a new one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    trigger TEXT NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT,
    errors TEXT NOT NULL DEFAULT '[]',
    platform_errors TEXT NOT NULL DEFAULT '[]',
    failure TEXT
  );
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE results (
    run_id TEXT NOT NULL REFERENCES runs (id),
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    platform_key TEXT,
    campaign_id TEXT,
    platform TEXT NOT NULL,
    platform_campaign_id TEXT,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    escalation_id TEXT,
    actual_spend REAL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE INDEX results_escalation ON results (escalation_id) WHERE escalation_id IS NOT NULL;

  CREATE TABLE escalations (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    campaign_id TEXT,
    platform TEXT NOT NULL,
    platform_campaign_id TEXT,
    proposed_action TEXT NOT NULL CHECK (proposed_action IN ('alert', 'halt')),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'overridden', 'expired')),
    outcome TEXT CHECK (outcome IN ('done', 'failed')),
    outcome_detail TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT,
    thread_id TEXT NOT NULL,
    thread_pruned INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT NOT NULL
  );
  -- One open question per campaign: a later run links to the pending escalation instead of asking again.
  CREATE UNIQUE INDEX escalations_one_open ON escalations (key) WHERE status = 'pending';
  CREATE INDEX escalations_status ON escalations (status, expires_at);

  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    run_id TEXT,
    type TEXT NOT NULL,
    campaign_id TEXT,
    platform TEXT,
    platform_campaign_id TEXT,
    actor TEXT NOT NULL,
    details TEXT NOT NULL
  );
  CREATE INDEX audit_campaign ON audit (campaign_id);
  CREATE INDEX audit_platform_campaign ON audit (platform_campaign_id);
  CREATE INDEX audit_type ON audit (type);
  CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

  -- Pauses and resumes made on fixture-backed platforms, so that the next run sees them.
  CREATE TABLE fixture_campaign_status (
    platform TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ENABLED', 'PAUSED')),
    changed_at TEXT NOT NULL,
    PRIMARY KEY (platform, campaign_id)
  );

  -- Idempotency keys for side effects that a re-run node must not repeat.
  CREATE TABLE effects (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    result TEXT
  );

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    pid INTEGER NOT NULL
  );
  `,
  `
  -- Messages waiting to be delivered (Slack), kept until they are: an outage never loses one.
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('chat.postMessage', 'chat.update')),
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    escalation_id TEXT,
    run_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    ts TEXT
  );
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
  CREATE INDEX outbox_escalation ON outbox (escalation_id) WHERE escalation_id IS NOT NULL;

  ALTER TABLE escalations ADD COLUMN message_channel TEXT;
  ALTER TABLE escalations ADD COLUMN message_ts TEXT;

  -- When each scheduled digest went out, so the next one covers what came since.
  CREATE TABLE digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    channel TEXT NOT NULL,
    runs INTEGER NOT NULL
  );
  `,
  `
  -- Which process (pid and a random token, since pids are reused) claimed a decision or holds a lock:
  -- another process only takes over when that one is gone.
  ALTER TABLE escalations ADD COLUMN claimed_by TEXT;
  ALTER TABLE outbox ADD COLUMN leased_until INTEGER;
  -- One announcement per escalation, whoever queues it (a run's thread, or serve catching up at start).
  CREATE UNIQUE INDEX outbox_one_announcement ON outbox (escalation_id) WHERE kind = 'escalation';
  ALTER TABLE locks ADD COLUMN owner TEXT;
  CREATE INDEX escalations_key ON escalations (key, decided_at);
  `,
  `
  -- Batch escalations: one question about many campaigns (a data storm, the halt budget, many orphans).
  ALTER TABLE escalations ADD COLUMN batch_kind TEXT;
  CREATE TABLE escalation_members (
    escalation_id TEXT NOT NULL REFERENCES escalations (id),
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    dropped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (escalation_id, seq)
  );
  CREATE INDEX escalation_members_key ON escalation_members (key);

  -- Every pause is written here before the platform is called, and settled after: a run after a crash reads
  -- back each pause whose outcome is unknown.
  CREATE TABLE pause_intents (
    key TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    run_id TEXT,
    escalation_id TEXT,
    campaign_id TEXT,
    platform TEXT NOT NULL,
    platform_campaign_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    details TEXT NOT NULL,
    owner TEXT NOT NULL,
    outcome TEXT CHECK (outcome IN ('paused', 'already_paused', 'would_pause', 'failed', 'not_paused')),
    settled_at TEXT
  );
  CREATE INDEX pause_intents_open ON pause_intents (outcome) WHERE outcome IS NULL;

  -- The run lock is a lease: a holder whose process looks alive (a reused pid) still loses it once it expires.
  ALTER TABLE locks ADD COLUMN expires_at INTEGER;

  -- Signatures of Slack requests already acted on (inside Slack's 5-minute window): a replay is refused.
  CREATE TABLE seen_requests (
    signature TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  );

  `,
  `
  -- Each result carries its campaign's recent pacing ("ms|severity|variance" per run, ';'-separated, last 10),
  -- so the next run reads one row per campaign, not ten runs of rows.
  ALTER TABLE results ADD COLUMN pacing TEXT;

  -- Each campaign's spend per day (the account's zone), kept across runs within the results' retention.
  CREATE TABLE daily_spend (
    platform TEXT NOT NULL,
    platform_campaign_id TEXT NOT NULL,
    day TEXT NOT NULL,
    spend REAL NOT NULL,
    PRIMARY KEY (platform, platform_campaign_id, day)
  ) WITHOUT ROWID;
  `,
  `
  -- What each situation last told people (SPEC, No alert fatigue): a run posts a campaign again only when its
  -- severity, action or pause changed, or its variance moved 5 points or more. Cleared when it is back on plan.
  CREATE TABLE announcements (
    key TEXT PRIMARY KEY,
    severity TEXT,
    action TEXT NOT NULL,
    pause TEXT,
    variance_pct REAL,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- The outbox learns threads (a run's alerts under one summary), file uploads (the digest's chart) and what
  -- each message is about (so delivery, not the decision, is what the audit trail calls "alert_sent").
  -- SQLite cannot change a CHECK constraint in place: the table is rebuilt with the wider list of methods.
  CREATE TABLE outbox_v6 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('chat.postMessage', 'chat.update', 'files.uploadV2')),
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    escalation_id TEXT,
    run_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    ts TEXT,
    leased_until INTEGER,
    thread_of INTEGER,
    subject TEXT
  );
  INSERT INTO outbox_v6 (id, created_at, kind, method, channel, payload, escalation_id, run_id, status, attempts,
    next_attempt_at, last_error, sent_at, ts, leased_until)
    SELECT id, created_at, kind, method, channel, payload, escalation_id, run_id, status, attempts,
      next_attempt_at, last_error, sent_at, ts, leased_until FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_v6 RENAME TO outbox;
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
  CREATE INDEX outbox_escalation ON outbox (escalation_id) WHERE escalation_id IS NOT NULL;
  CREATE UNIQUE INDEX outbox_one_announcement ON outbox (escalation_id) WHERE kind = 'escalation';
  CREATE INDEX outbox_thread ON outbox (thread_of) WHERE thread_of IS NOT NULL;
  `,
  `
  -- Paging (PagerDuty): each condition that pages, by its dedup key, and whether its incident is open, so that a
  -- repeated run never triggers it twice and it is resolved once. occurrence names what opened it (a failed
  -- pause's intent key): a resolved incident is not reopened by the same failure. watermark is the audit trail's
  -- last id when it opened: a run failure is resolved by a run completed after it.
  CREATE TABLE page_incidents (
    dedup_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    occurrence TEXT,
    watermark INTEGER NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    resolved_at TEXT,
    resolution TEXT
  ) WITHOUT ROWID;

  -- Events waiting for PagerDuty, kept until it accepts them (an outage loses none). Stored without the routing
  -- key, which is added when an event is sent.
  CREATE TABLE page_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('trigger', 'acknowledge', 'resolve')),
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'superseded')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    leased_until INTEGER,
    last_error TEXT,
    sent_at TEXT
  );
  CREATE INDEX page_events_due ON page_events (status, next_attempt_at);
  CREATE INDEX page_events_key ON page_events (dedup_key, id);
  -- Paging asks, per campaign, whether its latest settled pause failed.
  CREATE INDEX pause_intents_campaign ON pause_intents (platform, platform_campaign_id);
  `,
  `
  -- Each campaign's spend per day as one row (a JSON object of day → spend) instead of one row per day: a first
  -- run over 10,000 campaigns wrote 140,000 rows; a later run merges the days a platform revised (json_patch).
  -- first_day is the earliest day held, so pruning touches only rows with days past retention.
  CREATE TABLE spend_days (
    platform TEXT NOT NULL,
    platform_campaign_id TEXT NOT NULL,
    first_day TEXT NOT NULL,
    days TEXT NOT NULL,
    PRIMARY KEY (platform, platform_campaign_id)
  ) WITHOUT ROWID;
  INSERT INTO spend_days (platform, platform_campaign_id, first_day, days)
    SELECT platform, platform_campaign_id, MIN(day), json_group_object(day, spend)
    FROM (SELECT * FROM daily_spend ORDER BY platform, platform_campaign_id, day)
    GROUP BY platform, platform_campaign_id;
  DROP TABLE daily_spend;
  `,
  `
  -- Daily budgets changed on fixture-backed platforms, so that the next run sees them (as pauses are kept above).
  CREATE TABLE fixture_campaign_budget (
    platform TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    daily_budget REAL NOT NULL CHECK (daily_budget > 0),
    currency TEXT,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (platform, campaign_id)
  );
  `,
  `
  -- Budget questions: an escalation may propose a daily-budget change (budget) or a pool's rebalance. SQLite cannot
  -- change a CHECK in place, so the table is rebuilt; its members' table too, since it refers to it and a parent
  -- with children cannot be dropped while foreign keys are on.
  CREATE TABLE escalations_next (
    id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    key TEXT NOT NULL,
    campaign_id TEXT,
    platform TEXT NOT NULL,
    platform_campaign_id TEXT,
    proposed_action TEXT NOT NULL CHECK (proposed_action IN ('alert', 'halt', 'budget', 'rebalance')),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'overridden', 'expired')),
    outcome TEXT CHECK (outcome IN ('done', 'failed')),
    outcome_detail TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT,
    thread_id TEXT NOT NULL,
    thread_pruned INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT NOT NULL,
    message_channel TEXT,
    message_ts TEXT,
    claimed_by TEXT,
    batch_kind TEXT
  );
  INSERT INTO escalations_next (id, run_id, key, campaign_id, platform, platform_campaign_id, proposed_action, reason,
    status, outcome, outcome_detail, created_at, expires_at, decided_by, decided_at, decision_note, thread_id,
    thread_pruned, snapshot, message_channel, message_ts, claimed_by, batch_kind)
    SELECT id, run_id, key, campaign_id, platform, platform_campaign_id, proposed_action, reason, status, outcome,
      outcome_detail, created_at, expires_at, decided_by, decided_at, decision_note, thread_id, thread_pruned,
      snapshot, message_channel, message_ts, claimed_by, batch_kind
    FROM escalations;
  CREATE TABLE escalation_members_next (
    escalation_id TEXT NOT NULL REFERENCES escalations (id),
    seq INTEGER NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    dropped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (escalation_id, seq)
  );
  INSERT INTO escalation_members_next SELECT escalation_id, seq, key, data, dropped FROM escalation_members;
  DROP TABLE escalation_members;
  DROP TABLE escalations;
  ALTER TABLE escalations_next RENAME TO escalations;
  ALTER TABLE escalation_members_next RENAME TO escalation_members;
  CREATE UNIQUE INDEX escalations_one_open ON escalations (key) WHERE status = 'pending';
  CREATE INDEX escalations_status ON escalations (status, expires_at);
  CREATE INDEX escalations_key ON escalations (key, decided_at);
  CREATE INDEX escalation_members_key ON escalation_members (key);
  `,
  // 11: the analyst's notes (SPEC, Explanations), one per campaign, with the question each answers.
  `
  CREATE TABLE explanations (
    key TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    explanation TEXT NOT NULL,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL
  );
  `,
  // 12: a pool question's figures.
  `
  -- A pool's rebalance question keeps the pool's figures (its total, spent so far, where it ends before and after)
  -- as the run that asked found them, so its card can say them; JSON, null for every other escalation.
  ALTER TABLE escalations ADD COLUMN batch_figures TEXT;
  `,
];
