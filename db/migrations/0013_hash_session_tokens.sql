-- Sessions are kept by the SHA-256 of their cookie's token. Hashing the tokens already stored
-- keeps everyone signed in: their cookies still carry the token, which now hashes to the row.
UPDATE "sessions" SET "id" = encode(sha256(convert_to("id", 'UTF8')), 'hex');
