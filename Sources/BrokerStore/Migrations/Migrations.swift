/// The ordered list of schema steps; both stores apply it in this order and
/// record each id, so a step never runs twice. Append, never edit.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(id: "0001_accounts_sessions_audit", statements: [
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                login TEXT,
                login_key TEXT UNIQUE,
                email TEXT UNIQUE,
                email_verified INTEGER NOT NULL DEFAULT 0,
                phone TEXT UNIQUE,
                phone_verified INTEGER NOT NULL DEFAULT 0,
                password_hash TEXT,
                state TEXT NOT NULL,
                locale TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE identities (
                provider TEXT NOT NULL,
                subject TEXT NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                email TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (provider, subject)
            )
            """,
            "CREATE INDEX identities_account ON identities(account_id)",
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                authenticated_at BIGINT NOT NULL,
                methods TEXT NOT NULL,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX sessions_account ON sessions(account_id)",
            """
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                account_id TEXT,
                type TEXT NOT NULL,
                actor TEXT NOT NULL,
                detail TEXT NOT NULL,
                at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX audit_events_account ON audit_events(account_id, at)",
            """
            CREATE TABLE rate_limits (
                key TEXT PRIMARY KEY,
                window_start BIGINT NOT NULL,
                count INTEGER NOT NULL
            )
            """,
        ]),
        Migration(id: "0002_check_words_outbox", statements: [
            "ALTER TABLE accounts ADD COLUMN recovery_paused_until BIGINT",
            """
            CREATE TABLE check_words (
                id TEXT PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                purpose TEXT NOT NULL,
                kind TEXT NOT NULL,
                channel TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                address TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                revoked_at BIGINT,
                attempts INTEGER NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX check_words_account ON check_words(account_id, purpose, created_at)",
            """
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY,
                account_id TEXT,
                channel TEXT NOT NULL,
                recipient TEXT NOT NULL,
                subject TEXT NOT NULL,
                text_body TEXT NOT NULL,
                html_body TEXT,
                created_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at BIGINT NOT NULL,
                claimed_until BIGINT,
                last_error TEXT,
                sent_at BIGINT
            )
            """,
            "CREATE INDEX outbox_due ON outbox(state, next_attempt_at)",
        ]),
        Migration(id: "0003_oauth_states", statements: [
            "ALTER TABLE check_words ADD COLUMN payload TEXT",
            """
            CREATE TABLE oauth_states (
                id TEXT PRIMARY KEY,
                state_hash TEXT NOT NULL UNIQUE,
                binding_hash TEXT NOT NULL,
                provider TEXT NOT NULL,
                intent TEXT NOT NULL,
                account_id TEXT,
                return_to TEXT NOT NULL,
                locale TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX oauth_states_expiry ON oauth_states(expires_at)",
        ]),
        Migration(id: "0004_broker_secrets", statements: [
            "CREATE TABLE broker_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ]),
        Migration(id: "0005_expiry_indexes", statements: [
            "CREATE INDEX check_words_expiry ON check_words(expires_at)",
            "CREATE INDEX sessions_expiry ON sessions(expires_at)",
            "CREATE INDEX rate_limits_window ON rate_limits(window_start)",
        ]),
        // Superseding revokes the open words of an account and purpose, and a code check reads the
        // open one: both used to walk every word the account ever had (an account asked for often
        // got slower with each request). A partial index holds the open words only.
        Migration(id: "0006_open_words", statements: [
            "CREATE INDEX check_words_open ON check_words(account_id, purpose, kind, created_at, id) WHERE used_at IS NULL AND revoked_at IS NULL",
            "CREATE INDEX check_words_newest ON check_words(account_id, purpose, kind, created_at, id)",
        ]),
        // The broker as an OpenID Connect provider: what it gave apps (codes, access and refresh
        // tokens, by hash), and the keys its id_tokens are signed with (sealed). `current_slot` is 1
        // for the current key and NULL for retired ones: unique, so two instances making the first
        // key at once cannot both succeed, and every instance signs with the same key.
        Migration(id: "0007_apps", statements: [
            """
            CREATE TABLE app_tokens (
                token_hash TEXT PRIMARY KEY,
                kind TEXT NOT NULL,
                grant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                session_hash TEXT NOT NULL,
                scope TEXT NOT NULL,
                nonce TEXT,
                redirect_uri TEXT,
                code_challenge TEXT,
                auth_time BIGINT NOT NULL,
                amr TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX app_tokens_grant ON app_tokens(grant_id)",
            "CREATE INDEX app_tokens_expiry ON app_tokens(expires_at)",
            // The admin console's account page lists the account's messages.
            "CREATE INDEX outbox_account ON outbox(account_id, created_at)",
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                private_key TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                retired_at BIGINT,
                listed_until BIGINT,
                current_slot INTEGER UNIQUE
            )
            """,
        ]),
        // `check_words_newest` (account_id, purpose, kind, created_at, id) serves every lookup this
        // one did (by account, by account and purpose; the query plans agree on both stores), and
        // each word written to it was one more page of the account's, at a random place, in the
        // WAL and again at the checkpoint.
        Migration(id: "0008_drop_check_words_account", statements: [
            "DROP INDEX IF EXISTS check_words_account",
        ]),
    ]
}
