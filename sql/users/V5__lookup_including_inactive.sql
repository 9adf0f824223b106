-- GET /accounts/users/by-identifier?include_inactive=true: auth asks it only when a login finds no active user, to
-- answer 403 for a deactivated account. Not cached (a rare path).
--
-- The same reading of the identifier as get_user_by_identifier_v1, over inactive users too. A deactivated user keeps
-- its contacts active, so an active contact value still names exactly one user. When an active user matches, that
-- is the answer (the plain lookup's); only then are inactive users tried: a canonical UUID as a user id, else as a
-- second_login. So the answer never contradicts the plain lookup.
CREATE FUNCTION accounts.get_user_by_identifier_including_inactive_v1(p_identifier text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_active json := accounts.get_user_by_identifier_v1(p_identifier);
  v_kind text;
  v_id uuid;
BEGIN
  IF v_active IS NOT NULL THEN
    RETURN v_active;
  END IF;
  v_kind := accounts.identifier_kind_v1(p_identifier);
  IF v_kind = 'uuid' THEN
    SELECT u.id INTO v_id FROM accounts.users u WHERE u.id = p_identifier::uuid;
    IF v_id IS NULL THEN
      v_kind := 'second_login';
    END IF;
  END IF;
  IF v_id IS NULL THEN
    SELECT c.user_id INTO v_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    WHERE c.is_active
      AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
  END IF;
  RETURN CASE WHEN v_id IS NULL THEN NULL ELSE accounts.user_json_v1(v_id) END;
END
$$;
