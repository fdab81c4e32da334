BEGIN;

CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);


CREATE TABLE cluster_members (
    cluster_id VARCHAR(40) NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    role VARCHAR(20), 
    joined DATE, 
    synthetic BOOLEAN NOT NULL, 
    import_id INTEGER, 
    CONSTRAINT pk_cluster_members PRIMARY KEY (cluster_id, uscc)
);

CREATE INDEX ix_cluster_members_uscc ON cluster_members (uscc);

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

CREATE INDEX ix_clusters_field ON clusters (field);

CREATE INDEX ix_clusters_tier ON clusters (tier);

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

CREATE INDEX ix_enterprises_industry_code ON enterprises (industry_code);

CREATE INDEX ix_enterprises_region_code ON enterprises (region_code);

CREATE TABLE imports (
    id SERIAL NOT NULL, 
    kind VARCHAR(40) NOT NULL, 
    source_file VARCHAR(500) NOT NULL, 
    sha256 VARCHAR(64), 
    mode VARCHAR(20) NOT NULL, 
    status VARCHAR(20) NOT NULL, 
    rows_read INTEGER NOT NULL, 
    rows_written INTEGER NOT NULL, 
    rows_rejected INTEGER NOT NULL, 
    synthetic BOOLEAN NOT NULL, 
    started_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    finished_at TIMESTAMP WITHOUT TIME ZONE, 
    CONSTRAINT pk_imports PRIMARY KEY (id)
);

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

CREATE TABLE innovation_carriers (
    id SERIAL NOT NULL, 
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

CREATE INDEX ix_innovation_carriers_cluster_id ON innovation_carriers (cluster_id);

CREATE INDEX ix_innovation_carriers_region_code ON innovation_carriers (region_code);

CREATE TABLE meta (
    key VARCHAR(100) NOT NULL, 
    value TEXT NOT NULL, 
    CONSTRAINT pk_meta PRIMARY KEY (key)
);

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

CREATE INDEX ix_region_stats_year_measure ON region_stats (year, measure);

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

CREATE INDEX ix_regions_level ON regions (level);

CREATE INDEX ix_regions_parent_code ON regions (parent_code);

CREATE TABLE supply_links (
    id SERIAL NOT NULL, 
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

CREATE INDEX ix_supply_links_buyer_uscc ON supply_links (buyer_uscc);

CREATE INDEX ix_supply_links_supplier_uscc ON supply_links (supplier_uscc);

CREATE TABLE cluster_industries (
    cluster_id VARCHAR(40) NOT NULL, 
    industry_code VARCHAR(4) NOT NULL, 
    CONSTRAINT pk_cluster_industries PRIMARY KEY (cluster_id, industry_code), 
    CONSTRAINT fk_cluster_industries_cluster_id_clusters FOREIGN KEY(cluster_id) REFERENCES clusters (cluster_id) ON DELETE CASCADE
);

CREATE INDEX ix_cluster_industries_industry_code ON cluster_industries (industry_code);

CREATE TABLE cluster_regions (
    cluster_id VARCHAR(40) NOT NULL, 
    region_code VARCHAR(6) NOT NULL, 
    CONSTRAINT pk_cluster_regions PRIMARY KEY (cluster_id, region_code), 
    CONSTRAINT fk_cluster_regions_cluster_id_clusters FOREIGN KEY(cluster_id) REFERENCES clusters (cluster_id) ON DELETE CASCADE
);

CREATE INDEX ix_cluster_regions_region_code ON cluster_regions (region_code);

INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING alembic_version.version_num;


CREATE TABLE audit_log (
    id SERIAL NOT NULL, 
    at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    username VARCHAR(80), 
    role VARCHAR(16), 
    action VARCHAR(40) NOT NULL, 
    resource VARCHAR(200), 
    outcome VARCHAR(16) NOT NULL, 
    detail TEXT, 
    client VARCHAR(64), 
    CONSTRAINT pk_audit_log PRIMARY KEY (id)
);

CREATE INDEX ix_audit_log_action ON audit_log (action);

CREATE INDEX ix_audit_log_at ON audit_log (at);

CREATE INDEX ix_audit_log_username ON audit_log (username);

CREATE TABLE login_attempts (
    id SERIAL NOT NULL, 
    key VARCHAR(160) NOT NULL, 
    at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    CONSTRAINT pk_login_attempts PRIMARY KEY (id)
);

CREATE INDEX ix_login_attempts_key ON login_attempts (key);

CREATE TABLE organisations (
    id SERIAL NOT NULL, 
    name VARCHAR(200) NOT NULL, 
    kind VARCHAR(16) NOT NULL, 
    scope VARCHAR(40), 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    CONSTRAINT pk_organisations PRIMARY KEY (id), 
    CONSTRAINT uq_organisations_kind UNIQUE (kind, scope)
);

CREATE TABLE grants (
    id SERIAL NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    grantee_organisation_id INTEGER NOT NULL, 
    purpose VARCHAR(300), 
    granted_by VARCHAR(80) NOT NULL, 
    granted_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    expires_at TIMESTAMP WITHOUT TIME ZONE, 
    revoked_at TIMESTAMP WITHOUT TIME ZONE, 
    revoked_by VARCHAR(80), 
    CONSTRAINT pk_grants PRIMARY KEY (id), 
    CONSTRAINT fk_grants_grantee_organisation_id_organisations FOREIGN KEY(grantee_organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT
);

CREATE INDEX ix_grants_grantee_organisation_id ON grants (grantee_organisation_id);

CREATE INDEX ix_grants_uscc ON grants (uscc);

CREATE TABLE users (
    id SERIAL NOT NULL, 
    username VARCHAR(80) NOT NULL, 
    password_hash VARCHAR(200) NOT NULL, 
    organisation_id INTEGER NOT NULL, 
    role VARCHAR(16) NOT NULL, 
    scope VARCHAR(40), 
    active BOOLEAN NOT NULL, 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    token_version INTEGER NOT NULL, 
    CONSTRAINT pk_users PRIMARY KEY (id), 
    CONSTRAINT fk_users_organisation_id_organisations FOREIGN KEY(organisation_id) REFERENCES organisations (id) ON DELETE RESTRICT, 
    CONSTRAINT uq_users_username UNIQUE (username)
);

CREATE INDEX ix_users_organisation_id ON users (organisation_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0001';


CREATE TABLE digital_assessments (
    id SERIAL NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    framework VARCHAR(16) NOT NULL, 
    edition VARCHAR(16) NOT NULL, 
    answers TEXT NOT NULL, 
    status VARCHAR(12) NOT NULL, 
    score FLOAT, 
    level INTEGER, 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    updated_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    synthetic BOOLEAN NOT NULL, 
    CONSTRAINT pk_digital_assessments PRIMARY KEY (id)
);

CREATE INDEX ix_digital_assessments_framework ON digital_assessments (framework);

CREATE INDEX ix_digital_assessments_status ON digital_assessments (status);

CREATE INDEX ix_digital_assessments_uscc ON digital_assessments (uscc);

UPDATE alembic_version SET version_num='0003' WHERE alembic_version.version_num = '0002';


CREATE TABLE match_needs (
    id SERIAL NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    text TEXT NOT NULL, 
    industry_code VARCHAR(4), 
    quantity FLOAT, 
    unit VARCHAR(20), 
    certifications VARCHAR(300), 
    region_preference VARCHAR(300), 
    deadline DATE, 
    status VARCHAR(12) NOT NULL, 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    closed_at TIMESTAMP WITHOUT TIME ZONE, 
    close_reason VARCHAR(300), 
    synthetic BOOLEAN NOT NULL, 
    CONSTRAINT pk_match_needs PRIMARY KEY (id)
);

CREATE INDEX ix_match_needs_uscc ON match_needs (uscc);

CREATE INDEX ix_match_needs_industry_code ON match_needs (industry_code);

CREATE INDEX ix_match_needs_status ON match_needs (status);

CREATE TABLE match_capabilities (
    id SERIAL NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    products TEXT NOT NULL, 
    industry_code VARCHAR(4), 
    capacity FLOAT, 
    unit VARCHAR(20), 
    certifications VARCHAR(300), 
    region_code VARCHAR(6), 
    status VARCHAR(12) NOT NULL, 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    closed_at TIMESTAMP WITHOUT TIME ZONE, 
    close_reason VARCHAR(300), 
    synthetic BOOLEAN NOT NULL, 
    CONSTRAINT pk_match_capabilities PRIMARY KEY (id)
);

CREATE INDEX ix_match_capabilities_uscc ON match_capabilities (uscc);

CREATE INDEX ix_match_capabilities_industry_code ON match_capabilities (industry_code);

CREATE INDEX ix_match_capabilities_status ON match_capabilities (status);

CREATE TABLE supplier_lists (
    id SERIAL NOT NULL, 
    leader_uscc VARCHAR(18) NOT NULL, 
    name VARCHAR(200) NOT NULL, 
    chain VARCHAR(40), 
    segment VARCHAR(40), 
    cluster_id VARCHAR(40), 
    status VARCHAR(12) NOT NULL, 
    published_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    closed_at TIMESTAMP WITHOUT TIME ZONE, 
    synthetic BOOLEAN NOT NULL, 
    CONSTRAINT pk_supplier_lists PRIMARY KEY (id)
);

CREATE INDEX ix_supplier_lists_leader_uscc ON supplier_lists (leader_uscc);

CREATE INDEX ix_supplier_lists_status ON supplier_lists (status);

CREATE TABLE supplier_list_entries (
    list_id INTEGER NOT NULL, 
    supplier_uscc VARCHAR(18) NOT NULL, 
    note VARCHAR(300), 
    CONSTRAINT pk_supplier_list_entries PRIMARY KEY (list_id, supplier_uscc), 
    CONSTRAINT fk_supplier_list_entries_list_id_supplier_lists FOREIGN KEY(list_id) REFERENCES supplier_lists (id) ON DELETE CASCADE
);

CREATE INDEX ix_supplier_list_entries_supplier_uscc ON supplier_list_entries (supplier_uscc);

UPDATE alembic_version SET version_num='0004' WHERE alembic_version.version_num = '0003';


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
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    CONSTRAINT pk_policies PRIMARY KEY (policy_id)
);

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0004';


CREATE TABLE auth_sessions (
    id SERIAL NOT NULL, 
    sid_hash VARCHAR(64) NOT NULL, 
    kind VARCHAR(8) NOT NULL, 
    username VARCHAR(80), 
    data TEXT NOT NULL, 
    created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    last_seen_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    client VARCHAR(64), 
    CONSTRAINT pk_auth_sessions PRIMARY KEY (id), 
    CONSTRAINT uq_auth_sessions_sid_hash UNIQUE (sid_hash)
);

CREATE INDEX ix_auth_sessions_username ON auth_sessions (username);

CREATE INDEX ix_auth_sessions_last_seen_at ON auth_sessions (last_seen_at);

CREATE TABLE login_throttle (
    key VARCHAR(200) NOT NULL, 
    window_start TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    attempts INTEGER NOT NULL, 
    not_before TIMESTAMP WITHOUT TIME ZONE, 
    CONSTRAINT pk_login_throttle PRIMARY KEY (key)
);

DROP INDEX ix_login_attempts_key;

DROP TABLE login_attempts;

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0005';


ALTER TABLE cluster_members ADD COLUMN status VARCHAR(12) DEFAULT 'approved' NOT NULL;

ALTER TABLE cluster_members ADD COLUMN requested_by VARCHAR(80);

ALTER TABLE cluster_members ADD COLUMN decided_by VARCHAR(80);

ALTER TABLE cluster_members ADD COLUMN decided_at TIMESTAMP WITHOUT TIME ZONE;

CREATE INDEX ix_cluster_members_status ON cluster_members (status);

CREATE TABLE audit_subjects (
    audit_id INTEGER NOT NULL, 
    uscc VARCHAR(18) NOT NULL, 
    CONSTRAINT pk_audit_subjects PRIMARY KEY (audit_id, uscc), 
    CONSTRAINT fk_audit_subjects_audit_id_audit_log FOREIGN KEY(audit_id) REFERENCES audit_log (id)
);

CREATE INDEX ix_audit_subjects_uscc ON audit_subjects (uscc);

CREATE FUNCTION audit_subjects_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_subjects is append-only'; END $$;

CREATE TRIGGER audit_subjects_append_only BEFORE UPDATE OR DELETE ON audit_subjects FOR EACH ROW EXECUTE FUNCTION audit_subjects_append_only();

UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0006';


CREATE TABLE releases (
    id SERIAL NOT NULL, 
    data_version VARCHAR(200) NOT NULL, 
    built_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    status VARCHAR(20) NOT NULL, 
    stats TEXT, 
    CONSTRAINT pk_releases PRIMARY KEY (id)
);

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

UPDATE alembic_version SET version_num='0008' WHERE alembic_version.version_num = '0007';

COMMIT;

BEGIN;


DROP TABLE release_cells;

DROP TABLE releases;

UPDATE alembic_version SET version_num='0007' WHERE alembic_version.version_num = '0008';


DROP TRIGGER IF EXISTS audit_subjects_append_only ON audit_subjects;

DROP FUNCTION IF EXISTS audit_subjects_append_only();

DROP INDEX ix_audit_subjects_uscc;

DROP TABLE audit_subjects;

DROP INDEX ix_cluster_members_status;

ALTER TABLE cluster_members DROP COLUMN decided_at;

ALTER TABLE cluster_members DROP COLUMN decided_by;

ALTER TABLE cluster_members DROP COLUMN requested_by;

ALTER TABLE cluster_members DROP COLUMN status;

UPDATE alembic_version SET version_num='0006' WHERE alembic_version.version_num = '0007';


CREATE TABLE login_attempts (
    id SERIAL NOT NULL, 
    key VARCHAR(160) NOT NULL, 
    at TIMESTAMP WITHOUT TIME ZONE NOT NULL, 
    CONSTRAINT pk_login_attempts PRIMARY KEY (id)
);

CREATE INDEX ix_login_attempts_key ON login_attempts (key);

DROP TABLE login_throttle;

DROP INDEX ix_auth_sessions_last_seen_at;

DROP INDEX ix_auth_sessions_username;

DROP TABLE auth_sessions;

UPDATE alembic_version SET version_num='0005' WHERE alembic_version.version_num = '0006';


DROP TABLE policies;

UPDATE alembic_version SET version_num='0004' WHERE alembic_version.version_num = '0005';


DROP INDEX ix_supplier_list_entries_supplier_uscc;

DROP TABLE supplier_list_entries;

DROP INDEX ix_supplier_lists_status;

DROP INDEX ix_supplier_lists_leader_uscc;

DROP TABLE supplier_lists;

DROP INDEX ix_match_capabilities_status;

DROP INDEX ix_match_capabilities_industry_code;

DROP INDEX ix_match_capabilities_uscc;

DROP TABLE match_capabilities;

DROP INDEX ix_match_needs_status;

DROP INDEX ix_match_needs_industry_code;

DROP INDEX ix_match_needs_uscc;

DROP TABLE match_needs;

UPDATE alembic_version SET version_num='0003' WHERE alembic_version.version_num = '0004';


DROP INDEX ix_digital_assessments_uscc;

DROP INDEX ix_digital_assessments_status;

DROP INDEX ix_digital_assessments_framework;

DROP TABLE digital_assessments;

UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0003';


DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;

DROP FUNCTION IF EXISTS audit_log_append_only();

DROP INDEX ix_users_organisation_id;

DROP TABLE users;

DROP INDEX ix_grants_uscc;

DROP INDEX ix_grants_grantee_organisation_id;

DROP TABLE grants;

DROP TABLE organisations;

DROP INDEX ix_login_attempts_key;

DROP TABLE login_attempts;

DROP INDEX ix_audit_log_username;

DROP INDEX ix_audit_log_at;

DROP INDEX ix_audit_log_action;

DROP TABLE audit_log;

UPDATE alembic_version SET version_num='0001' WHERE alembic_version.version_num = '0002';


DROP INDEX ix_cluster_regions_region_code;

DROP TABLE cluster_regions;

DROP INDEX ix_cluster_industries_industry_code;

DROP TABLE cluster_industries;

DROP INDEX ix_supply_links_supplier_uscc;

DROP INDEX ix_supply_links_buyer_uscc;

DROP TABLE supply_links;

DROP INDEX ix_regions_parent_code;

DROP INDEX ix_regions_level;

DROP TABLE regions;

DROP INDEX ix_region_stats_year_measure;

DROP TABLE region_stats;

DROP TABLE meta;

DROP INDEX ix_innovation_carriers_region_code;

DROP INDEX ix_innovation_carriers_cluster_id;

DROP TABLE innovation_carriers;

DROP TABLE industries;

DROP TABLE imports;

DROP INDEX ix_enterprises_region_code;

DROP INDEX ix_enterprises_industry_code;

DROP TABLE enterprises;

DROP INDEX ix_clusters_tier;

DROP INDEX ix_clusters_field;

DROP TABLE clusters;

DROP INDEX ix_cluster_members_uscc;

DROP TABLE cluster_members;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0001';

COMMIT;

