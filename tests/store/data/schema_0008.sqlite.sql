-- index ix_audit_log_action
CREATE INDEX ix_audit_log_action ON audit_log (action);
-- index ix_audit_log_at
CREATE INDEX ix_audit_log_at ON audit_log (at);
-- index ix_audit_log_username
CREATE INDEX ix_audit_log_username ON audit_log (username);
-- index ix_audit_subjects_uscc
CREATE INDEX ix_audit_subjects_uscc ON audit_subjects (uscc);
-- index ix_auth_sessions_last_seen_at
CREATE INDEX ix_auth_sessions_last_seen_at ON auth_sessions (last_seen_at);
-- index ix_auth_sessions_username
CREATE INDEX ix_auth_sessions_username ON auth_sessions (username);
-- index ix_cluster_industries_industry_code
CREATE INDEX ix_cluster_industries_industry_code ON cluster_industries (industry_code);
-- index ix_cluster_members_status
CREATE INDEX ix_cluster_members_status ON cluster_members (status);
-- index ix_cluster_members_uscc
CREATE INDEX ix_cluster_members_uscc ON cluster_members (uscc);
-- index ix_cluster_regions_region_code
CREATE INDEX ix_cluster_regions_region_code ON cluster_regions (region_code);
-- index ix_clusters_field
CREATE INDEX ix_clusters_field ON clusters (field);
-- index ix_clusters_tier
CREATE INDEX ix_clusters_tier ON clusters (tier);
-- index ix_digital_assessments_framework
CREATE INDEX ix_digital_assessments_framework ON digital_assessments (framework);
-- index ix_digital_assessments_status
CREATE INDEX ix_digital_assessments_status ON digital_assessments (status);
-- index ix_digital_assessments_uscc
CREATE INDEX ix_digital_assessments_uscc ON digital_assessments (uscc);
-- index ix_enterprises_industry_code
CREATE INDEX ix_enterprises_industry_code ON enterprises (industry_code);
-- index ix_enterprises_region_code
CREATE INDEX ix_enterprises_region_code ON enterprises (region_code);
-- index ix_grants_grantee_organisation_id
CREATE INDEX ix_grants_grantee_organisation_id ON grants (grantee_organisation_id);
-- index ix_grants_uscc
CREATE INDEX ix_grants_uscc ON grants (uscc);
-- index ix_innovation_carriers_cluster_id
CREATE INDEX ix_innovation_carriers_cluster_id ON innovation_carriers (cluster_id);
-- index ix_innovation_carriers_region_code
CREATE INDEX ix_innovation_carriers_region_code ON innovation_carriers (region_code);
-- index ix_match_capabilities_industry_code
CREATE INDEX ix_match_capabilities_industry_code ON match_capabilities (industry_code);
-- index ix_match_capabilities_status
CREATE INDEX ix_match_capabilities_status ON match_capabilities (status);
-- index ix_match_capabilities_uscc
CREATE INDEX ix_match_capabilities_uscc ON match_capabilities (uscc);
-- index ix_match_needs_industry_code
CREATE INDEX ix_match_needs_industry_code ON match_needs (industry_code);
-- index ix_match_needs_status
CREATE INDEX ix_match_needs_status ON match_needs (status);
-- index ix_match_needs_uscc
CREATE INDEX ix_match_needs_uscc ON match_needs (uscc);
-- index ix_region_stats_year_measure
CREATE INDEX ix_region_stats_year_measure ON region_stats (year, measure);
-- index ix_regions_level
CREATE INDEX ix_regions_level ON regions (level);
-- index ix_regions_parent_code
CREATE INDEX ix_regions_parent_code ON regions (parent_code);
-- index ix_supplier_list_entries_supplier_uscc
CREATE INDEX ix_supplier_list_entries_supplier_uscc ON supplier_list_entries (supplier_uscc);
-- index ix_supplier_lists_leader_uscc
CREATE INDEX ix_supplier_lists_leader_uscc ON supplier_lists (leader_uscc);
-- index ix_supplier_lists_status
CREATE INDEX ix_supplier_lists_status ON supplier_lists (status);
-- index ix_supply_links_buyer_uscc
CREATE INDEX ix_supply_links_buyer_uscc ON supply_links (buyer_uscc);
-- index ix_supply_links_supplier_uscc
CREATE INDEX ix_supply_links_supplier_uscc ON supply_links (supplier_uscc);
-- index ix_users_organisation_id
CREATE INDEX ix_users_organisation_id ON users (organisation_id);
-- table alembic_version
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
-- table audit_log
CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	username VARCHAR(80), 
	role VARCHAR(16), 
	action VARCHAR(40) NOT NULL, 
	resource VARCHAR(200), 
	outcome VARCHAR(16) NOT NULL, 
	detail TEXT, 
	client VARCHAR(64), 
	CONSTRAINT pk_audit_log PRIMARY KEY (id)
);
-- table audit_subjects
CREATE TABLE audit_subjects (
	audit_id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	CONSTRAINT pk_audit_subjects PRIMARY KEY (audit_id, uscc), 
	CONSTRAINT fk_audit_subjects_audit_id_audit_log FOREIGN KEY(audit_id) REFERENCES audit_log (id)
);
-- table auth_sessions
CREATE TABLE auth_sessions (
	id INTEGER NOT NULL, 
	sid_hash VARCHAR(64) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	username VARCHAR(80), 
	data TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	client VARCHAR(64), 
	CONSTRAINT pk_auth_sessions PRIMARY KEY (id), 
	CONSTRAINT uq_auth_sessions_sid_hash UNIQUE (sid_hash)
);
-- table cluster_industries
CREATE TABLE cluster_industries (
	cluster_id VARCHAR(40) NOT NULL, 
	industry_code VARCHAR(4) NOT NULL, 
	CONSTRAINT pk_cluster_industries PRIMARY KEY (cluster_id, industry_code), 
	CONSTRAINT fk_cluster_industries_cluster_id_clusters FOREIGN KEY(cluster_id) REFERENCES clusters (cluster_id) ON DELETE CASCADE
);
-- table cluster_members
CREATE TABLE cluster_members (
	cluster_id VARCHAR(40) NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	role VARCHAR(20), 
	joined DATE, 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, status VARCHAR(12) DEFAULT 'approved' NOT NULL, requested_by VARCHAR(80), decided_by VARCHAR(80), decided_at DATETIME, 
	CONSTRAINT pk_cluster_members PRIMARY KEY (cluster_id, uscc)
);
-- table cluster_regions
CREATE TABLE cluster_regions (
	cluster_id VARCHAR(40) NOT NULL, 
	region_code VARCHAR(6) NOT NULL, 
	CONSTRAINT pk_cluster_regions PRIMARY KEY (cluster_id, region_code), 
	CONSTRAINT fk_cluster_regions_cluster_id_clusters FOREIGN KEY(cluster_id) REFERENCES clusters (cluster_id) ON DELETE CASCADE
);
-- table clusters
CREATE TABLE clusters (
	cluster_id VARCHAR(40) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	name_en VARCHAR(300), 
	tier VARCHAR(24) NOT NULL, 
	batch_year INTEGER, 
	field VARCHAR(32), 
	promotion_organisation VARCHAR(300), 
	verification VARCHAR(16), 
	source TEXT, 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, 
	CONSTRAINT pk_clusters PRIMARY KEY (cluster_id)
);
-- table digital_assessments
CREATE TABLE digital_assessments (
	id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	framework VARCHAR(16) NOT NULL, 
	edition VARCHAR(16) NOT NULL, 
	answers TEXT NOT NULL, 
	status VARCHAR(12) NOT NULL, 
	score FLOAT, 
	level INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_digital_assessments PRIMARY KEY (id)
);
-- table enterprises
CREATE TABLE enterprises (
	uscc VARCHAR(18) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	region_code VARCHAR(6) NOT NULL, 
	industry_code VARCHAR(4) NOT NULL, 
	founded DATE, 
	employees INTEGER, 
	revenue FLOAT, 
	output FLOAT, 
	rd_expense FLOAT, 
	tags VARCHAR(200), 
	business_scope TEXT, 
	address VARCHAR(300), 
	lon FLOAT, 
	lat FLOAT, 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, 
	CONSTRAINT pk_enterprises PRIMARY KEY (uscc)
);
-- table grants
CREATE TABLE grants (
	id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	grantee_organisation_id INTEGER NOT NULL, 
	purpose VARCHAR(300), 
	granted_by VARCHAR(80) NOT NULL, 
	granted_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	revoked_at DATETIME, 
	revoked_by VARCHAR(80), 
	CONSTRAINT pk_grants PRIMARY KEY (id), 
	CONSTRAINT fk_grants_grantee_organisation_id_organisations FOREIGN KEY(grantee_organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT
);
-- table imports
CREATE TABLE imports (
	id INTEGER NOT NULL, 
	kind VARCHAR(40) NOT NULL, 
	source_file VARCHAR(500) NOT NULL, 
	sha256 VARCHAR(64), 
	mode VARCHAR(20) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	rows_read INTEGER NOT NULL, 
	rows_written INTEGER NOT NULL, 
	rows_rejected INTEGER NOT NULL, 
	synthetic BOOLEAN NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	CONSTRAINT pk_imports PRIMARY KEY (id)
);
-- table industries
CREATE TABLE industries (
	code VARCHAR(4) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	level INTEGER NOT NULL, 
	parent VARCHAR(4), 
	section VARCHAR(1), 
	vintage VARCHAR(8) NOT NULL, 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_industries PRIMARY KEY (code)
);
-- table innovation_carriers
CREATE TABLE innovation_carriers (
	id INTEGER NOT NULL, 
	carrier_type VARCHAR(40) NOT NULL, 
	name VARCHAR(300) NOT NULL, 
	level VARCHAR(16) NOT NULL, 
	region_code VARCHAR(6) NOT NULL, 
	host_uscc VARCHAR(18), 
	industry_code VARCHAR(4), 
	field VARCHAR(32), 
	cluster_id VARCHAR(40), 
	recognised_year INTEGER, 
	source VARCHAR(300), 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, 
	CONSTRAINT pk_innovation_carriers PRIMARY KEY (id), 
	CONSTRAINT uq_innovation_carriers_carrier_type UNIQUE (carrier_type, name)
);
-- table login_throttle
CREATE TABLE login_throttle (
	"key" VARCHAR(200) NOT NULL, 
	window_start DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	not_before DATETIME, 
	CONSTRAINT pk_login_throttle PRIMARY KEY ("key")
);
-- table match_capabilities
CREATE TABLE match_capabilities (
	id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	products TEXT NOT NULL, 
	industry_code VARCHAR(4), 
	capacity FLOAT, 
	unit VARCHAR(20), 
	certifications VARCHAR(300), 
	region_code VARCHAR(6), 
	status VARCHAR(12) NOT NULL, 
	created_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	close_reason VARCHAR(300), 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_match_capabilities PRIMARY KEY (id)
);
-- table match_needs
CREATE TABLE match_needs (
	id INTEGER NOT NULL, 
	uscc VARCHAR(18) NOT NULL, 
	text TEXT NOT NULL, 
	industry_code VARCHAR(4), 
	quantity FLOAT, 
	unit VARCHAR(20), 
	certifications VARCHAR(300), 
	region_preference VARCHAR(300), 
	deadline DATE, 
	status VARCHAR(12) NOT NULL, 
	created_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	close_reason VARCHAR(300), 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_match_needs PRIMARY KEY (id)
);
-- table meta
CREATE TABLE meta (
	"key" VARCHAR(100) NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_meta PRIMARY KEY ("key")
);
-- table organisations
CREATE TABLE organisations (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	scope VARCHAR(40), 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_organisations PRIMARY KEY (id), 
	CONSTRAINT uq_organisations_kind UNIQUE (kind, scope)
);
-- table policies
CREATE TABLE policies (
	policy_id VARCHAR(40) NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	title_en VARCHAR(300), 
	issuer VARCHAR(200) NOT NULL, 
	region_scope VARCHAR(200), 
	target TEXT, 
	rules TEXT NOT NULL, 
	benefits TEXT, 
	start_date DATE, 
	end_date DATE, 
	source_document VARCHAR(500), 
	synthetic BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_policies PRIMARY KEY (policy_id)
);
-- table region_stats
CREATE TABLE region_stats (
	region_code VARCHAR(6) NOT NULL, 
	industry_code VARCHAR(4) NOT NULL, 
	year INTEGER NOT NULL, 
	measure VARCHAR(32) NOT NULL, 
	value FLOAT NOT NULL, 
	unit VARCHAR(16) NOT NULL, 
	source VARCHAR(300), 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, 
	CONSTRAINT pk_region_stats PRIMARY KEY (region_code, industry_code, year, measure)
);
-- table regions
CREATE TABLE regions (
	code VARCHAR(6) NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	level VARCHAR(12) NOT NULL, 
	parent_code VARCHAR(6), 
	province_code VARCHAR(6), 
	lon FLOAT, 
	lat FLOAT, 
	source VARCHAR(200), 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_regions PRIMARY KEY (code)
);
-- table release_cells
CREATE TABLE release_cells (
	release_id INTEGER NOT NULL, 
	measure VARCHAR(20) NOT NULL, 
	region_code VARCHAR(12) NOT NULL, 
	industry_code VARCHAR(8) NOT NULL, 
	region_level INTEGER NOT NULL, 
	industry_level INTEGER NOT NULL, 
	value FLOAT NOT NULL, 
	n INTEGER NOT NULL, 
	n_firms INTEGER NOT NULL, 
	suppressed BOOLEAN NOT NULL, 
	suppression VARCHAR(12), 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_release_cells PRIMARY KEY (release_id, measure, region_code, industry_code), 
	CONSTRAINT fk_release_cells_release_id_releases FOREIGN KEY(release_id) REFERENCES releases (id) ON DELETE CASCADE
);
-- table releases
CREATE TABLE releases (
	id INTEGER NOT NULL, 
	data_version VARCHAR(200) NOT NULL, 
	built_at DATETIME NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	stats TEXT, 
	CONSTRAINT pk_releases PRIMARY KEY (id)
);
-- table supplier_list_entries
CREATE TABLE supplier_list_entries (
	list_id INTEGER NOT NULL, 
	supplier_uscc VARCHAR(18) NOT NULL, 
	note VARCHAR(300), 
	CONSTRAINT pk_supplier_list_entries PRIMARY KEY (list_id, supplier_uscc), 
	CONSTRAINT fk_supplier_list_entries_list_id_supplier_lists FOREIGN KEY(list_id) REFERENCES supplier_lists (id) ON DELETE CASCADE
);
-- table supplier_lists
CREATE TABLE supplier_lists (
	id INTEGER NOT NULL, 
	leader_uscc VARCHAR(18) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	chain VARCHAR(40), 
	segment VARCHAR(40), 
	cluster_id VARCHAR(40), 
	status VARCHAR(12) NOT NULL, 
	published_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	synthetic BOOLEAN NOT NULL, 
	CONSTRAINT pk_supplier_lists PRIMARY KEY (id)
);
-- table supply_links
CREATE TABLE supply_links (
	id INTEGER NOT NULL, 
	supplier_uscc VARCHAR(18) NOT NULL, 
	buyer_uscc VARCHAR(18) NOT NULL, 
	year INTEGER NOT NULL, 
	input_category VARCHAR(4) NOT NULL, 
	value FLOAT, 
	product VARCHAR(300), 
	source VARCHAR(300), 
	synthetic BOOLEAN NOT NULL, 
	import_id INTEGER, 
	CONSTRAINT pk_supply_links PRIMARY KEY (id), 
	CONSTRAINT uq_supply_links_supplier_uscc UNIQUE (supplier_uscc, buyer_uscc, year, input_category)
);
-- table users
CREATE TABLE users (
	id INTEGER NOT NULL, 
	username VARCHAR(80) NOT NULL, 
	password_hash VARCHAR(200) NOT NULL, 
	organisation_id INTEGER NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	scope VARCHAR(40), 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	token_version INTEGER NOT NULL, 
	CONSTRAINT pk_users PRIMARY KEY (id), 
	CONSTRAINT fk_users_organisation_id_organisations FOREIGN KEY(organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT, 
	CONSTRAINT uq_users_username UNIQUE (username)
);
-- trigger audit_log_no_delete
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- trigger audit_log_no_update
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- trigger audit_subjects_no_delete
CREATE TRIGGER audit_subjects_no_delete BEFORE DELETE ON audit_subjects BEGIN SELECT RAISE(ABORT, 'audit_subjects is append-only'); END;
-- trigger audit_subjects_no_update
CREATE TRIGGER audit_subjects_no_update BEFORE UPDATE ON audit_subjects BEGIN SELECT RAISE(ABORT, 'audit_subjects is append-only'); END;
