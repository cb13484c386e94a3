-- Custom SQL migration file, put your code below! --
-- Trigram matching for typo-tolerant search (GIN gin_trgm_ops indexes in the next migration).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
