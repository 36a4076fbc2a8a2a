CREATE TABLE "fleet_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"node" text NOT NULL,
	"sequence" bigint NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"sent_by" text NOT NULL,
	"pool_id" text,
	"gpu_count" integer NOT NULL,
	"healthy_count" integer NOT NULL,
	"unhealthy" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fleet_nodes" (
	"name" text PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"pool_id" text,
	"accelerator_id" text,
	"source" text NOT NULL,
	"driver_version" text,
	"cuda_version" text,
	"sequence" bigint NOT NULL,
	"interval_seconds" integer NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"sent_by" text NOT NULL,
	"gpus" json NOT NULL,
	"gpu_count" integer NOT NULL,
	"healthy_count" integer NOT NULL,
	"history_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fleet_pool_days" (
	"pool_id" text NOT NULL,
	"day" text NOT NULL,
	"healthy_max" integer NOT NULL,
	CONSTRAINT "fleet_pool_days_pool_id_day_pk" PRIMARY KEY("pool_id","day")
);
--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_pool_id_pools_id_fk";
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "fleet_history" ADD CONSTRAINT "fleet_history_node_fleet_nodes_name_fk" FOREIGN KEY ("node") REFERENCES "public"."fleet_nodes"("name") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fleet_history_node" ON "fleet_history" USING btree ("node","received_at");--> statement-breakpoint
CREATE INDEX "fleet_history_received" ON "fleet_history" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "fleet_nodes_site" ON "fleet_nodes" USING btree ("site_id");--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_agent_month" ON "deliveries" USING btree ("pool_id","month") WHERE "deliveries"."source" = 'agent';