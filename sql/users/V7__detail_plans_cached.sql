-- The user detail (every user read and every cache miss) as PL/pgSQL, so that its plan is cached per connection.
--
-- As a LANGUAGE sql function with a FROM clause, user_json_v1 cannot be inlined into its caller, and the SQL
-- function executor plans its query again on every call: get_user_by_identifier_v1 (PL/pgSQL) reached a third
-- of the calls/s of the same lookup written in one function (pgbench -M prepared -c32: 2,812 vs 8,941 calls/s,
-- issue 12). PL/pgSQL keeps each statement's plan for the life of the connection. Same signature, same result.
CREATE OR REPLACE FUNCTION accounts.user_json_v1(p_id uuid) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'id', u.id,
      'created_at', u.created_at,
      'updated_at', u.updated_at,
      'is_active', u.is_active,
      'profile', u.profile,
      'groups', COALESCE((
        SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name)
        FROM accounts.user_group_memberships m JOIN accounts.user_groups g ON g.id = m.group_id
        WHERE m.user_id = u.id AND m.is_active), '[]'::json),
      'contacts', COALESCE((
        SELECT json_agg(json_build_object('id', c.id, 'type', ct.name, 'value', c.value) ORDER BY ct.name)
        FROM accounts.user_contacts c JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
        WHERE c.user_id = u.id AND c.is_active), '[]'::json))
    FROM accounts.users u
    WHERE u.id = p_id);
END
$$;
