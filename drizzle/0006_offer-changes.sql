-- A committed change of the offers or the requests (what GET /v1/offers answers from) is
-- announced on stargate_offers, but only to a session that itself listens on that channel: on
-- PGlite the server's one session listens, and there the notification arrives with the commit
-- (one process, one connection), so the server may keep its answer until it hears one
-- (src/server/offer-reads.ts). On PostgreSQL no pooled session listens, so nothing is sent: a
-- NOTIFY would serialise every commit that sends one on a database-wide lock.
CREATE FUNCTION stargate_offers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_listening_channels() AS c WHERE c = 'stargate_offers') THEN
    PERFORM pg_notify('stargate_offers', '');
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER offers_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "offers"
  FOR EACH STATEMENT EXECUTE FUNCTION stargate_offers_changed();
--> statement-breakpoint
CREATE TRIGGER requests_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "requests"
  FOR EACH STATEMENT EXECUTE FUNCTION stargate_offers_changed();
