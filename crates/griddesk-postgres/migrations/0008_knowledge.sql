-- The knowledge base for the one-time complete notice (issue 4): articles and their inverted
-- index. Terms come from jieba's search-mode segmentation in the store crate, so Chinese is
-- matched by word, not by character, and both backends index and rank identically.

CREATE TABLE knowledge_article (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version     BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- ",code,code," of the order types it is suggested for; "" for all.
    order_types TEXT NOT NULL,
    -- Tags joined by ",".
    tags        TEXT NOT NULL,
    updated_us  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);
CREATE UNIQUE INDEX knowledge_article_title ON knowledge_article (title);

CREATE TABLE knowledge_term (
    term       TEXT NOT NULL,
    article_id BIGINT NOT NULL REFERENCES knowledge_article (id),
    weight     BIGINT NOT NULL,
    PRIMARY KEY (term, article_id)
);
CREATE INDEX knowledge_term_article ON knowledge_term (article_id);
