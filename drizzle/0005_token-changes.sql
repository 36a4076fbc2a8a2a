-- Every committed change of a token (a revocation, an expiry or role changed, a row removed,
-- even by hand in SQL) is announced on stargate_tokens with the token's id, '*' for all of
-- them: each server process drops what it cached of that token (src/store/token-cache.ts).
-- NOTIFY goes out when, and only if, the transaction commits.
CREATE FUNCTION stargate_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('stargate_tokens', '*');
  ELSE
    PERFORM pg_notify('stargate_tokens', OLD.id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER tokens_changed AFTER UPDATE OR DELETE ON "tokens"
  FOR EACH ROW EXECUTE FUNCTION stargate_token_changed();
--> statement-breakpoint
CREATE TRIGGER tokens_truncated AFTER TRUNCATE ON "tokens"
  FOR EACH STATEMENT EXECUTE FUNCTION stargate_token_changed();
