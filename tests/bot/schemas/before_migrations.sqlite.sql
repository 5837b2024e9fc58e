-- The bot store as create_all made it before migrations (commit 2aa8d2c, the last version
-- without Alembic), for the migration tests: generated from that commit's tables.

CREATE TABLE chat_messages (
	pseudonym VARCHAR(32) NOT NULL, 
	message_id BIGINT NOT NULL, 
	created_at FLOAT NOT NULL, 
	UNIQUE (pseudonym, message_id)
);
CREATE INDEX ix_chat_messages_created_at ON chat_messages (created_at);
CREATE INDEX ix_chat_messages_pseudonym ON chat_messages (pseudonym);

CREATE TABLE chosen_languages (
	pseudonym VARCHAR(32) NOT NULL, 
	language VARCHAR(8) NOT NULL, 
	chosen_at FLOAT NOT NULL, 
	PRIMARY KEY (pseudonym)
);
CREATE INDEX ix_chosen_languages_chosen_at ON chosen_languages (chosen_at);

CREATE TABLE advocates (
	user_id BIGINT NOT NULL, 
	display_name VARCHAR(64) NOT NULL, 
	PRIMARY KEY (user_id)
);

CREATE TABLE cases (
	alias VARCHAR(8) NOT NULL, 
	state VARCHAR(8) NOT NULL, 
	pseudonym VARCHAR(32), 
	sealed_chat TEXT, 
	language VARCHAR(8), 
	region VARCHAR(8), 
	needs TEXT, 
	urgent BOOLEAN NOT NULL, 
	urgent_reason VARCHAR(16), 
	summary TEXT, 
	safe_to_talk BOOLEAN, 
	created_at FLOAT NOT NULL, 
	taken_at FLOAT, 
	advocate_id BIGINT, 
	group_id BIGINT, 
	topic_id BIGINT, 
	card_id BIGINT, 
	fallback_sent BOOLEAN NOT NULL, 
	leaving_message BOOLEAN NOT NULL, 
	risk_noted BOOLEAN, 
	last_seen_at FLOAT, 
	closed_at FLOAT, 
	PRIMARY KEY (alias)
);
CREATE INDEX ix_cases_pseudonym ON cases (pseudonym);
CREATE INDEX ix_cases_state ON cases (state);
CREATE INDEX ix_cases_topic_id ON cases (topic_id);

CREATE TABLE erasures (
	id INTEGER NOT NULL, 
	pseudonym VARCHAR(32), 
	alias VARCHAR(8), 
	group_id BIGINT, 
	topic_id BIGINT, 
	card_id BIGINT, 
	posts TEXT, 
	card_note TEXT, 
	group_done BOOLEAN NOT NULL, 
	created_at FLOAT NOT NULL, 
	attempts INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE TABLE outbox (
	id INTEGER NOT NULL, 
	alias VARCHAR(8) NOT NULL, 
	direction VARCHAR(12) NOT NULL, 
	source_message_id BIGINT NOT NULL, 
	reply_to BIGINT, 
	sent BOOLEAN NOT NULL, 
	failed BOOLEAN, 
	attempts INTEGER, 
	next_at FLOAT, 
	PRIMARY KEY (id), 
	UNIQUE (alias, direction, source_message_id)
);
CREATE INDEX ix_outbox_alias ON outbox (alias);
CREATE INDEX ix_outbox_sent ON outbox (sent);

CREATE TABLE posts (
	alias VARCHAR(8) NOT NULL, 
	message_id BIGINT NOT NULL
);
CREATE INDEX ix_posts_alias ON posts (alias);

CREATE TABLE relay (
	alias VARCHAR(8) NOT NULL, 
	survivor_message_id BIGINT NOT NULL, 
	group_message_id BIGINT NOT NULL
);
CREATE INDEX ix_relay_alias ON relay (alias);

CREATE TABLE daily_counts (
	day VARCHAR(10) NOT NULL, 
	name VARCHAR(32) NOT NULL, 
	label VARCHAR(48) NOT NULL, 
	count BIGINT NOT NULL, 
	PRIMARY KEY (day, name, label)
);
