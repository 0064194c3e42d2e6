-- Customer archive on the grid topology (domain D1).
--
-- customer.id is the customer number read as an integer (10 digits, so id order is customer
-- number order); every filter index ends in id so "ORDER BY customer_no LIMIT n" walks an index
-- instead of sorting. Decimals are NUMERIC, dates DATE, timestamps TIMESTAMPTZ (UTC).

CREATE TABLE org_unit (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    kind   TEXT NOT NULL,
    parent TEXT REFERENCES org_unit (code)
);
CREATE INDEX org_unit_parent ON org_unit (parent);

CREATE TABLE staff (
    login    TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    org_unit TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX staff_org_unit ON staff (org_unit);

CREATE TABLE substation (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    voltage_kv NUMERIC NOT NULL,
    org_unit   TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX substation_org_unit ON substation (org_unit);

CREATE TABLE feeder (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    substation TEXT NOT NULL REFERENCES substation (code),
    voltage_kv NUMERIC NOT NULL
);
CREATE INDEX feeder_substation ON feeder (substation);

CREATE TABLE transformer_area (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    feeder          TEXT NOT NULL REFERENCES feeder (code),
    transformer_kva NUMERIC NOT NULL,
    area_type       TEXT NOT NULL,
    org_unit        TEXT NOT NULL REFERENCES org_unit (code)
);
CREATE INDEX transformer_area_feeder ON transformer_area (feeder);
CREATE INDEX transformer_area_org_unit ON transformer_area (org_unit);

CREATE TABLE customer (
    id                   BIGINT PRIMARY KEY,
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
    voltage_kv           NUMERIC NOT NULL,
    high_voltage         BOOLEAN GENERATED ALWAYS AS (voltage_kv >= 10) STORED,
    capacity_kva         NUMERIC NOT NULL,
    self_provided_source BOOLEAN NOT NULL,
    dedicated_line       BOOLEAN NOT NULL,
    usage_nature         TEXT NOT NULL,
    load_importance      TEXT NOT NULL,
    important_grade      TEXT NOT NULL,
    area_type            TEXT NOT NULL,
    industry             TEXT NOT NULL,
    institution          TEXT NOT NULL,
    customer_manager     TEXT REFERENCES staff (login),
    opened_on            DATE NOT NULL,
    -- griddesk_domain::search::document(name, address) and its tsvector (kept, not recomputed:
    -- phrase queries recheck matching rows against it).
    search_doc           TEXT NOT NULL,
    search_tsv           TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', search_doc)) STORED,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (id = customer_no::BIGINT),
    CHECK ((area_code IS NULL) <> (feeder_code IS NULL)),
    CHECK (backup_feeder_code IS NULL OR feeder_code IS NOT NULL)
);
-- One index per filterable dimension of CustomerFilter, each ending in id.
CREATE INDEX customer_org_unit ON customer (org_unit, id);
CREATE INDEX customer_area ON customer (area_code, id);
CREATE INDEX customer_feeder ON customer (feeder_code, id) WHERE feeder_code IS NOT NULL;
CREATE INDEX customer_backup_feeder ON customer (backup_feeder_code, id)
    WHERE backup_feeder_code IS NOT NULL;
CREATE INDEX customer_manager ON customer (customer_manager, id)
    WHERE customer_manager IS NOT NULL;
CREATE INDEX customer_tariff ON customer (tariff, id);
CREATE INDEX customer_supply_relation ON customer (supply_relation, id);
CREATE INDEX customer_usage_nature ON customer (usage_nature, id);
CREATE INDEX customer_load_importance ON customer (load_importance, id);
CREATE INDEX customer_important_grade ON customer (important_grade, id);
CREATE INDEX customer_area_type ON customer (area_type, id);
CREATE INDEX customer_industry ON customer (industry, id);
CREATE INDEX customer_institution ON customer (institution, id);
CREATE INDEX customer_high_voltage ON customer (high_voltage, id);
-- Full-text index over CJK bigrams and ASCII words; queried with
-- search_tsv @@ to_tsquery('simple', ..), which is to_tsvector('simple', search_doc).
CREATE INDEX customer_search ON customer USING GIN (search_tsv);

CREATE TABLE contact (
    customer_id       BIGINT NOT NULL REFERENCES customer (id),
    seq               INTEGER NOT NULL,
    name              TEXT NOT NULL,
    role              TEXT NOT NULL,
    email             TEXT,
    preferred_channel TEXT NOT NULL,
    PRIMARY KEY (customer_id, seq)
);

-- The phones of a contact, in order; indexed by phone for exact phone search.
CREATE TABLE contact_phone (
    customer_id BIGINT NOT NULL,
    contact_seq INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    phone       TEXT NOT NULL,
    PRIMARY KEY (customer_id, contact_seq, seq),
    FOREIGN KEY (customer_id, contact_seq) REFERENCES contact (customer_id, seq)
);
CREATE INDEX contact_phone_phone ON contact_phone (phone, customer_id);

CREATE TABLE meter (
    code        TEXT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customer (id),
    seq         INTEGER NOT NULL,
    meter_no    TEXT NOT NULL,
    multiplier  BIGINT NOT NULL CHECK (multiplier > 0)
);
CREATE INDEX meter_customer ON meter (customer_id, seq);

CREATE TABLE theft_case (
    case_no     TEXT PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customer (id),
    found_on    DATE NOT NULL,
    stolen_kwh  NUMERIC NOT NULL,
    charged     NUMERIC(16, 2) NOT NULL,
    description TEXT NOT NULL
);
CREATE INDEX theft_case_customer ON theft_case (customer_id, found_on);
