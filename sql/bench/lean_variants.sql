-- What the by-identifier function's contract costs over the lean reference (docs/benchmarks.md, "The lookup
-- function"): the lean reference (lean_reference.sql, load it first) answers one json value; V12's
-- accounts.get_user_by_identifier_v4 answered four OUT values (the replay position, the id, the detail, the miss key)
-- and reads the replay position before its lookup's snapshot (VOLATILE). These variants add one of the two each; they
-- showed the OUT values cost more than the position, which is why V13's v5 answers one text value.
-- Created by hand, as users_svc on the primary, never by the service's migrations:
--   psql -h 127.0.0.1 -p 5432 -U users_svc -d users -f sql/bench/lean_reference.sql -f sql/bench/lean_variants.sql
-- and measured in ONE pgbench run at 2 clients, where a call's latency is its cost rather than a queue (at 32 clients
-- this VM's drift is larger than the differences):
--   pgbench -h 127.0.0.1 -p 5433 -U users_svc -n -M prepared -c 2 -j 2 -T 20 -D users=100000 \
--     -f sql/bench/lean_by_identifier.sql@1 -f sql/bench/lean_out_by_identifier.sql@1 \
--     -f sql/bench/lean_position_by_identifier.sql@1 -f sql/bench/by_identifier.sql@1 users
-- (the per-script "latency average" lines, in that order).

-- The lean reference answering two values (OUT parameters, read in a FROM clause) instead of one.
CREATE OR REPLACE FUNCTION bench.lean_out(p_identifier text, OUT user_id uuid, OUT detail json)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_id uuid;
  v_kind text;
BEGIN
  IF p_identifier ~ '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' THEN
    SELECT u.id INTO v_id FROM accounts.users u WHERE u.id = p_identifier::uuid AND u.is_active;
    v_kind := 'second_login';
  ELSIF p_identifier ~ '^\+[1-9][0-9]{1,14}$' THEN
    v_kind := 'phone';
  ELSIF p_identifier ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN
    v_kind := 'email';
  ELSE
    v_kind := 'second_login';
  END IF;
  IF v_id IS NULL THEN
    SELECT c.user_id INTO v_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    JOIN accounts.users u ON u.id = c.user_id
    WHERE c.is_active AND u.is_active AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
    IF v_id IS NULL THEN
      RETURN;
    END IF;
  END IF;
  user_id := v_id;
  detail := (
    SELECT json_build_object(
      'id', u.id, 'created_at', u.created_at, 'updated_at', u.updated_at, 'is_active', u.is_active, 'profile', u.profile,
      'groups', COALESCE((
        SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name)
        FROM accounts.user_group_memberships m JOIN accounts.user_groups g ON g.id = m.group_id
        WHERE m.user_id = u.id AND m.is_active), '[]'::json),
      'contacts', COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'type', ct.name, 'value', c.value) ORDER BY ct.name)
        FROM accounts.user_contacts c JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
        WHERE c.user_id = u.id AND c.is_active), '[]'::json))
    FROM accounts.users u
    WHERE u.id = v_id);
END
$$;

-- The lean reference plus the replay position, read as v4 reads it (before the lookup's snapshot: VOLATILE).
CREATE OR REPLACE FUNCTION bench.lean_position(p_identifier text, OUT replayed_lsn pg_lsn, OUT detail json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  detail := bench.lean_user_by_identifier(p_identifier);
END
$$;
