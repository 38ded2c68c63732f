-- Saved versions are history: the database itself refuses to change one, whatever code runs.
-- Deleting stays possible so that removing a graph (ON DELETE CASCADE) still works.
CREATE OR REPLACE FUNCTION graph_versions_refuse_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'graph_versions are immutable: version % of graph % cannot be changed; save a new version instead', OLD.version, OLD.graph_id;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER graph_versions_immutable BEFORE UPDATE ON "graph_versions" FOR EACH ROW EXECUTE FUNCTION graph_versions_refuse_update();
