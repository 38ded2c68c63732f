ALTER TABLE "run_nodes" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "job_id" text;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "worker_id" text;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "backend" text;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "requires" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "enqueued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "run_nodes" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "run_nodes_worker_idx" ON "run_nodes" USING btree ("worker_id","started_at");--> statement-breakpoint
CREATE TABLE "workers" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"concurrency" integer NOT NULL,
	"backend" text,
	"device" text,
	"memory_bytes" bigint,
	"free_memory_bytes" bigint,
	"gpu_memory_bytes" bigint,
	"current_jobs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL
);
