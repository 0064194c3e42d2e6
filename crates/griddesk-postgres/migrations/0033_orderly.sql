-- The load-limiting sequence (限电序位表, D3.2/D9): the customers of the orderly-power-use
-- scheme, each with its position (lower is reduced earlier), expected load, security load and
-- what it agreed to shift, avoid or have limited, and whether its line may be disconnected.
-- Replaced whole in one transaction. kW are TEXT holding their exact decimal, as on SQLite, so
-- both backends share one implementation.

CREATE TABLE orderly_sequence (
    customer_no      TEXT PRIMARY KEY REFERENCES customer (customer_no),
    position         BIGINT NOT NULL CHECK (position >= 0),
    expected_load_kw TEXT NOT NULL,
    security_load_kw TEXT NOT NULL,
    shift_peak_kw    TEXT NOT NULL,
    avoid_peak_kw    TEXT NOT NULL,
    limit_kw         TEXT NOT NULL,
    can_disconnect   BOOLEAN NOT NULL
);
CREATE INDEX orderly_sequence_position ON orderly_sequence (position, customer_no);
