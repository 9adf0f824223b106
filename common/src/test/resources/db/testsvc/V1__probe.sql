-- Test-only service schema: a table the failover tests write to, through a stored function like real services.
CREATE SCHEMA IF NOT EXISTS probe;
CREATE TABLE probe.writes (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now(), note text);
CREATE FUNCTION probe.record_write_v1(p_note text) RETURNS bigint LANGUAGE sql AS
$$ INSERT INTO probe.writes(note) VALUES (p_note) RETURNING id $$;
CREATE FUNCTION probe.where_am_i_v1() RETURNS TABLE(in_recovery boolean, server_port int) LANGUAGE sql STABLE AS
$$ SELECT pg_is_in_recovery(), current_setting('port')::int $$;
