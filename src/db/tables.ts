// Every table the migrations create, grouped by who writes its rows: the one list that resets (tests,
// benches) take their tables from. test/integration/db/schema-drift.test.ts holds it to the database.

/** Rows born with a contact request, or because of one. */
export const REQUEST_TABLES = ['contact_requests', 'consent_records', 'notifications', 'receipts', 'request_events', 'webhook_deliveries', 'webhook_attempts', 'spam_training', 'follow_ups'] as const

/** What the purge and the admin tools leave behind them: their history. */
export const HISTORY_TABLES = ['purge_tombstones', 'purge_runs', 'audit_log'] as const

/** What the spam filter learned from admins' decisions, and the decisions themselves (no personal data). */
export const SPAM_TABLES = ['spam_token_counts', 'spam_decisions'] as const

/** What admins configure. */
export const SETTINGS_TABLES = ['api_keys', 'webhook_endpoints'] as const

/** Everything the service writes while it runs. */
export const DATA_TABLES = [...REQUEST_TABLES, ...HISTORY_TABLES, ...SPAM_TABLES, ...SETTINGS_TABLES] as const

/** Loaded from files at start (CONTACTS_FILE, PRIVACY_NOTICES_DIR). */
export const REFERENCE_TABLES = ['contacts', 'privacy_notices'] as const
