-- Customer archive on the grid topology (domain D1).
--
-- Decimal values (voltage kV, capacity kVA, kWh, money) are stored as TEXT holding their exact
-- decimal representation: SQLite has no decimal type and REAL would round.
-- Dates are TEXT 'YYYY-MM-DD'; timestamps TEXT in UTC, RFC 3339.
-- customer.id is the customer number read as an integer (10 digits, so id order is customer
-- number order): a filtered index walk in rowid order answers "ORDER BY customer_no LIMIT n"
-- without sorting, and FTS5 rowids are customer ids.
--
-- Search runs on one FTS5 index, customer_fts, with two columns: search_doc, the terms of
-- griddesk_domain::search::document(name, address), and phones, the customer's contact phone
-- numbers as whole tokens (exact phone search). FTS5 absorbs the random order of names and phones
-- in bulk loads far better than B-tree indexes on them would; the terms are recomputed from name,
-- address and contact_phone, so they are not stored a second time in customer.

CREATE TABLE org_unit (
    code   TEXT PRIMARY KEY NOT NULL,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    parent TEXT REFERENCES org_unit (code)
);
CREATE INDEX org_unit_parent ON org_unit (parent);

CREATE TABLE staff (
    login    TEXT PRIMARY KEY NOT NULL,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    org_unit TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX staff_org_unit ON staff (org_unit);

CREATE TABLE substation (
    code       TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    voltage_kv TEXT NOT NULL,
    org_unit   TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX substation_org_unit ON substation (org_unit);

CREATE TABLE feeder (
    code       TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    substation TEXT NOT NULL REFERENCES substation (code),
    voltage_kv TEXT NOT NULL
);
CREATE INDEX feeder_substation ON feeder (substation);

CREATE TABLE transformer_area (
    code            TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    feeder          TEXT NOT NULL REFERENCES feeder (code),
    transformer_kva TEXT NOT NULL,
    area_type       TEXT NOT NULL,
    org_unit        TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX transformer_area_feeder ON transformer_area (feeder);
CREATE INDEX transformer_area_org_unit ON transformer_area (org_unit);

CREATE TABLE customer (
    id                   INTEGER PRIMARY KEY,
    customer_no          TEXT NOT NULL UNIQUE,
    name                 TEXT NOT NULL,
    address              TEXT NOT NULL,
    id_number            TEXT,
    org_unit             TEXT NOT NULL REFERENCES org_unit (code),
    -- Low-voltage customers hang on an area (their feeder is the area's), high-voltage ones on a
    -- feeder, dual-supply ones also on a backup feeder.
    area_code            TEXT REFERENCES transformer_area (code),
    feeder_code          TEXT REFERENCES feeder (code),
    backup_feeder_code   TEXT REFERENCES feeder (code),
    supply_relation      TEXT NOT NULL,
    tariff               TEXT NOT NULL,
    voltage_kv           TEXT NOT NULL,
    -- 1 when voltage_kv >= 10 kV; kept as a column because TEXT decimals do not compare.
    high_voltage         INTEGER NOT NULL CHECK (high_voltage IN (0, 1)),
    capacity_kva         TEXT NOT NULL,
    self_provided_source INTEGER NOT NULL CHECK (self_provided_source IN (0, 1)),
    dedicated_line       INTEGER NOT NULL CHECK (dedicated_line IN (0, 1)),
    usage_nature         TEXT NOT NULL,
    load_importance      TEXT NOT NULL,
    important_grade      TEXT NOT NULL,
    area_type            TEXT NOT NULL,
    industry             TEXT NOT NULL,
    institution          TEXT NOT NULL,
    customer_manager     TEXT REFERENCES staff (login),
    opened_on            TEXT NOT NULL,
    -- 1 for dual-supply customers; indexed so "dual_supply = ?" walks customers in number order.
    dual_supply          INTEGER GENERATED ALWAYS AS (backup_feeder_code IS NOT NULL) VIRTUAL,
    updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    CHECK (id = CAST(customer_no AS INTEGER)),
    CHECK ((area_code IS NULL) <> (feeder_code IS NULL)),
    CHECK (backup_feeder_code IS NULL OR feeder_code IS NOT NULL)
);
-- One index per filterable dimension of CustomerFilter. Each entry ends in the rowid, so an
-- equality filter walks customers in customer-number order and LIMIT stops early.
CREATE INDEX customer_org_unit ON customer (org_unit);
CREATE INDEX customer_area ON customer (area_code);
CREATE INDEX customer_feeder ON customer (feeder_code) WHERE feeder_code IS NOT NULL;
CREATE INDEX customer_backup_feeder ON customer (backup_feeder_code)
    WHERE backup_feeder_code IS NOT NULL;
CREATE INDEX customer_manager ON customer (customer_manager) WHERE customer_manager IS NOT NULL;
CREATE INDEX customer_tariff ON customer (tariff);
CREATE INDEX customer_supply_relation ON customer (supply_relation);
CREATE INDEX customer_usage_nature ON customer (usage_nature);
CREATE INDEX customer_load_importance ON customer (load_importance);
CREATE INDEX customer_important_grade ON customer (important_grade);
CREATE INDEX customer_area_type ON customer (area_type);
CREATE INDEX customer_industry ON customer (industry);
CREATE INDEX customer_institution ON customer (institution);
CREATE INDEX customer_high_voltage ON customer (high_voltage);
CREATE INDEX customer_dual_supply ON customer (dual_supply);

-- Contentless full-text index, rowid = customer.id. The documents are already split into terms
-- (CJK bigrams, lower-case ASCII words, phone numbers) separated by spaces, so the plain 'ascii'
-- tokenizer (bytes above 127 are token characters) keeps each term whole.
-- contentless_delete lets an updated customer's old terms be removed.
CREATE VIRTUAL TABLE customer_fts USING fts5 (
    search_doc,
    phones,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);

CREATE TABLE contact (
    customer_id       INTEGER NOT NULL REFERENCES customer (id),
    seq               INTEGER NOT NULL,
    name              TEXT NOT NULL,
    role              TEXT NOT NULL,
    email             TEXT,
    preferred_channel TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
) WITHOUT ROWID;

-- The phones of a contact, in order (searched through customer_fts.phones).
CREATE TABLE contact_phone (
    customer_id INTEGER NOT NULL,
    contact_seq INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    phone       TEXT NOT NULL,
    PRIMARY KEY (customer_id, contact_seq, seq),
    FOREIGN KEY (customer_id, contact_seq) REFERENCES contact (customer_id, seq)
) WITHOUT ROWID;

CREATE TABLE meter (
    code        TEXT PRIMARY KEY NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customer (id),
    seq         INTEGER NOT NULL,
    meter_no    TEXT NOT NULL,
    multiplier  INTEGER NOT NULL CHECK (multiplier > 0)
) WITHOUT ROWID;
CREATE INDEX meter_customer ON meter (customer_id, seq);

CREATE TABLE theft_case (
    case_no     TEXT PRIMARY KEY NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customer (id),
    found_on    TEXT NOT NULL,
    stolen_kwh  TEXT NOT NULL,
    charged     TEXT NOT NULL,
    description TEXT NOT NULL
);
CREATE INDEX theft_case_customer ON theft_case (customer_id, found_on);
