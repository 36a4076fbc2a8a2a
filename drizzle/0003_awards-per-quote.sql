DROP INDEX "awards_one_per_request";--> statement-breakpoint
CREATE UNIQUE INDEX "awards_one_per_quote" ON "awards" USING btree ("quote_id");--> statement-breakpoint
CREATE INDEX "awards_request" ON "awards" USING btree ("request_id");