-- A lean reference for the by-identifier lookup, created by bin/bench (as users_svc, in its own schema "bench",
-- never by the service's migrations): the same contract as accounts.get_user_by_identifier_v1 written the plainest
-- fast way, in one PL/pgSQL function (each statement's plan cached per connection), the detail built inline.
-- bin/bench compares the production function against it (target: >= 0.95 x its calls/s).
CREATE SCHEMA IF NOT EXISTS bench;

CREATE OR REPLACE FUNCTION bench.lean_user_by_identifier(p_identifier text) RETURNS json
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
      RETURN NULL;
    END IF;
  END IF;
  RETURN (
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
