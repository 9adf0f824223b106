-- Roles in access tokens come from group names (SPEC section 3): whoever is in the group admin is an admin. So only an
-- admin may put a user into it or take one out; a service client never can, whatever its scopes. The service says
-- whether the caller is an admin (p_by_admin); without it these refuse a change of the admin group before touching
-- anything, with SQLSTATE UF001 (403 FORBIDDEN). Every other change is the v1 function's.
--
-- The group is known by its name: admin is seeded by V2, cannot be renamed or deleted (V3), and names are unique,
-- so no other group can take the name.

CREATE FUNCTION accounts.create_user_v2(p_body jsonb, p_by_admin boolean) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  -- btrim as create_user_v1 resolves the names.
  IF NOT p_by_admin AND EXISTS (
      SELECT 1 FROM jsonb_array_elements_text(COALESCE(p_body -> 'groups', '[]'::jsonb)) g WHERE btrim(g) = 'admin') THEN
    RAISE EXCEPTION 'only an admin may put a user into the group admin' USING ERRCODE = 'UF001';
  END IF;
  RETURN accounts.create_user_v1(p_body);
END
$$;

-- Memberships name the group by id: refused when it is admin and the caller is not an admin.
CREATE FUNCTION accounts.refuse_admin_group_v1(p_group_id uuid, p_by_admin boolean) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF NOT p_by_admin AND EXISTS (SELECT 1 FROM accounts.user_groups WHERE id = p_group_id AND name = 'admin') THEN
    RAISE EXCEPTION 'only an admin may put users into the group admin or take them out' USING ERRCODE = 'UF001';
  END IF;
END
$$;

CREATE FUNCTION accounts.add_membership_v2(p_user_id uuid, p_group_id uuid, p_by_admin boolean) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM accounts.refuse_admin_group_v1(p_group_id, p_by_admin);
  RETURN accounts.add_membership_v1(p_user_id, p_group_id);
END
$$;

CREATE FUNCTION accounts.delete_membership_v2(p_user_id uuid, p_group_id uuid, p_by_admin boolean) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM accounts.refuse_admin_group_v1(p_group_id, p_by_admin);
  RETURN accounts.delete_membership_v1(p_user_id, p_group_id);
END
$$;
