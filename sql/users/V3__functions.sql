-- Every business query of users as a versioned stored function. Results are json built here, so the service
-- can pass the bytes straight to the client (and the cache) without re-serialising them.
--
-- Business errors are raised with SQLSTATEs the service maps to SPEC §3 codes:
--   P0002  NOT_FOUND                UV001  VALIDATION_ERROR         UC001  CONTACT_TYPE_CONFLICT
--   UL001  INVALID_SECOND_LOGIN     UR001  CONFLICT (built-in dictionary entry)
--   23505 (unique) / 23503 (still referenced) → CONFLICT
-- Reads return NULL for "no such row" (cheaper than an exception on the hot path).

-- Which of the four identifier kinds a string is. Only the canonical 8-4-4-4-12 form counts as a UUID.
CREATE FUNCTION accounts.identifier_kind_v1(p_identifier text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_identifier ~ '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$' THEN 'uuid'
    WHEN p_identifier ~ '^\+[1-9][0-9]{1,14}$' THEN 'phone'
    WHEN p_identifier ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN 'email'
    ELSE 'second_login'
  END
$$;

-- The detail shape shared by every user read: user + active groups + active contacts ([] when none).
CREATE FUNCTION accounts.user_json_v1(p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
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
  WHERE u.id = p_id
$$;

-- Detail by id, active or not (admins must see deactivated users); NULL when there is no such user.
CREATE FUNCTION accounts.get_user_v1(p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT accounts.user_json_v1(p_id)
$$;

-- One aggregated identifier: UUID → users.id; E.164 → phone; e-mail (case-insensitive) → email; else second_login.
-- Only active users and active contacts match. A UUID-shaped string that is no active user's id is then tried
-- as a second_login (second_login accepts UUID-shaped values, e.g. external ids); an id match wins.
CREATE FUNCTION accounts.get_user_by_identifier_v1(p_identifier text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_kind text := accounts.identifier_kind_v1(p_identifier);
  v_id uuid;
BEGIN
  IF v_kind = 'uuid' THEN
    SELECT u.id INTO v_id FROM accounts.users u WHERE u.id = p_identifier::uuid AND u.is_active;
    IF v_id IS NULL THEN
      v_kind := 'second_login';
    END IF;
  END IF;
  IF v_id IS NULL THEN
    SELECT c.user_id INTO v_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    JOIN accounts.users u ON u.id = c.user_id
    WHERE c.is_active AND u.is_active
      AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
  END IF;
  RETURN CASE WHEN v_id IS NULL THEN NULL ELSE accounts.user_json_v1(v_id) END;
END
$$;

CREATE FUNCTION accounts.list_users_v1(p_page integer, p_size integer) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'items', COALESCE((
      SELECT json_agg(accounts.user_json_v1(p.id) ORDER BY p.created_at, p.id)
      FROM (SELECT id, created_at FROM accounts.users ORDER BY created_at, id
            LIMIT p_size OFFSET (p_page - 1)::bigint * p_size) p), '[]'::json),
    'total', (SELECT count(*) FROM accounts.users),
    'page', p_page,
    'size', p_size)
$$;

-- Validates and normalises a contact value for its type; raises UV001 / UL001.
CREATE FUNCTION accounts.normalize_contact_v1(p_type text, p_value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v text := btrim(COALESCE(p_value, ''));
BEGIN
  IF v = '' THEN
    RAISE EXCEPTION 'contact value must not be empty' USING ERRCODE = 'UV001';
  END IF;
  CASE p_type
    WHEN 'email' THEN
      IF accounts.identifier_kind_v1(v) <> 'email' THEN
        RAISE EXCEPTION 'not a valid e-mail address' USING ERRCODE = 'UV001';
      END IF;
      RETURN lower(v);
    WHEN 'phone' THEN
      IF accounts.identifier_kind_v1(v) <> 'phone' THEN
        RAISE EXCEPTION 'phone must be in E.164 form, e.g. +79991234567' USING ERRCODE = 'UV001';
      END IF;
      RETURN v;
    WHEN 'second_login' THEN
      -- A login that looks like a phone or an e-mail would be unreachable by identifier lookup.
      IF accounts.identifier_kind_v1(v) IN ('phone', 'email') THEN
        RAISE EXCEPTION 'second_login must not look like a phone number or an e-mail address' USING ERRCODE = 'UL001';
      END IF;
      RETURN v;
    ELSE
      RETURN v;
  END CASE;
END
$$;

CREATE FUNCTION accounts.contact_json_v1(p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('id', c.id, 'user_id', c.user_id, 'type', ct.name, 'value', c.value,
    'is_active', c.is_active, 'created_at', c.created_at, 'updated_at', c.updated_at)
  FROM accounts.user_contacts c JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
  WHERE c.id = p_id
$$;

-- Makes room for an active contact of a type: a second_login replaces the previous one, any other type conflicts.
CREATE FUNCTION accounts.claim_contact_slot_v1(p_user_id uuid, p_type_id uuid, p_type text, p_except uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_type = 'second_login' THEN
    UPDATE accounts.user_contacts SET is_active = false, updated_at = now()
    WHERE user_id = p_user_id AND contact_type_id = p_type_id AND is_active AND id IS DISTINCT FROM p_except;
  ELSIF EXISTS (SELECT 1 FROM accounts.user_contacts
                WHERE user_id = p_user_id AND contact_type_id = p_type_id AND is_active
                  AND id IS DISTINCT FROM p_except) THEN
    RAISE EXCEPTION 'the user already has an active % contact', p_type USING ERRCODE = 'UC001';
  END IF;
END
$$;

CREATE FUNCTION accounts.add_contact_v1(p_user_id uuid, p_type text, p_value text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_type_id uuid;
  v_value text;
  v_id uuid;
BEGIN
  -- Row lock on the user serialises concurrent contact changes of one user (the slot check is then exact).
  PERFORM 1 FROM accounts.users WHERE id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user not found' USING ERRCODE = 'P0002';
  END IF;
  SELECT id INTO v_type_id FROM accounts.contact_types WHERE name = p_type;
  IF v_type_id IS NULL THEN
    RAISE EXCEPTION 'unknown contact type "%"', p_type USING ERRCODE = 'UV001';
  END IF;
  v_value := accounts.normalize_contact_v1(p_type, p_value);
  PERFORM accounts.claim_contact_slot_v1(p_user_id, v_type_id, p_type, NULL);
  INSERT INTO accounts.user_contacts (user_id, contact_type_id, value)
  VALUES (p_user_id, v_type_id, v_value) RETURNING id INTO v_id;
  UPDATE accounts.users SET updated_at = now() WHERE id = p_user_id;
  RETURN accounts.contact_json_v1(v_id);
END
$$;

CREATE FUNCTION accounts.get_contact_v1(p_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT accounts.contact_json_v1(p_id)
$$;

-- Every contact of a user, inactive ones included (history); NULL when the user does not exist.
CREATE FUNCTION accounts.list_user_contacts_v1(p_user_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM accounts.users WHERE id = p_user_id) THEN NULL
    ELSE COALESCE((SELECT json_agg(accounts.contact_json_v1(c.id) ORDER BY c.created_at, c.id)
                   FROM accounts.user_contacts c WHERE c.user_id = p_user_id), '[]'::json) END
$$;

CREATE FUNCTION accounts.update_contact_v1(p_id uuid, p_value text, p_is_active boolean) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_user_id uuid;
  v_type_id uuid;
  v_type text;
  v_active boolean;
BEGIN
  SELECT c.user_id, c.contact_type_id, ct.name, c.is_active INTO v_user_id, v_type_id, v_type, v_active
  FROM accounts.user_contacts c JOIN accounts.contact_types ct ON ct.id = c.contact_type_id WHERE c.id = p_id;
  IF v_user_id IS NULL THEN
    RAISE EXCEPTION 'contact not found' USING ERRCODE = 'P0002';
  END IF;
  PERFORM 1 FROM accounts.users WHERE id = v_user_id FOR UPDATE;
  IF COALESCE(p_is_active, v_active) AND NOT v_active THEN
    PERFORM accounts.claim_contact_slot_v1(v_user_id, v_type_id, v_type, p_id);
  END IF;
  UPDATE accounts.user_contacts
  SET value = CASE WHEN p_value IS NULL THEN value ELSE accounts.normalize_contact_v1(v_type, p_value) END,
      is_active = COALESCE(p_is_active, is_active),
      updated_at = now()
  WHERE id = p_id;
  UPDATE accounts.users SET updated_at = now() WHERE id = v_user_id;
  RETURN accounts.contact_json_v1(p_id);
END
$$;

-- Contacts are deactivated, not erased: the history stays and the value becomes free for others.
CREATE FUNCTION accounts.delete_contact_v1(p_id uuid) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_user_id uuid;
BEGIN
  UPDATE accounts.user_contacts SET is_active = false, updated_at = now()
  WHERE id = p_id RETURNING user_id INTO v_user_id;
  IF v_user_id IS NULL THEN
    RAISE EXCEPTION 'contact not found' USING ERRCODE = 'P0002';
  END IF;
  UPDATE accounts.users SET updated_at = now() WHERE id = v_user_id;
  RETURN accounts.contact_json_v1(p_id);
END
$$;

CREATE FUNCTION accounts.membership_json_v1(p_user_id uuid, p_group_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object('user_id', m.user_id, 'group_id', m.group_id, 'group_name', g.name,
    'is_active', m.is_active, 'created_at', m.created_at, 'updated_at', m.updated_at)
  FROM accounts.user_group_memberships m JOIN accounts.user_groups g ON g.id = m.group_id
  WHERE m.user_id = p_user_id AND m.group_id = p_group_id
$$;

CREATE FUNCTION accounts.get_membership_v1(p_user_id uuid, p_group_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT accounts.membership_json_v1(p_user_id, p_group_id)
$$;

CREATE FUNCTION accounts.list_memberships_v1(p_user_id uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM accounts.users WHERE id = p_user_id) THEN NULL
    ELSE COALESCE((SELECT json_agg(accounts.membership_json_v1(m.user_id, m.group_id) ORDER BY m.created_at, m.group_id)
                   FROM accounts.user_group_memberships m WHERE m.user_id = p_user_id), '[]'::json) END
$$;

-- Adds (or re-activates) a membership; idempotent.
CREATE FUNCTION accounts.add_membership_v1(p_user_id uuid, p_group_id uuid) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts.users WHERE id = p_user_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user not found' USING ERRCODE = 'P0002';
  END IF;
  PERFORM 1 FROM accounts.user_groups WHERE id = p_group_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user group not found' USING ERRCODE = 'P0002';
  END IF;
  INSERT INTO accounts.user_group_memberships (user_id, group_id) VALUES (p_user_id, p_group_id)
  ON CONFLICT (user_id, group_id) DO UPDATE SET is_active = true, updated_at = now()
    WHERE NOT accounts.user_group_memberships.is_active;
  UPDATE accounts.users SET updated_at = now() WHERE id = p_user_id;
  RETURN accounts.membership_json_v1(p_user_id, p_group_id);
END
$$;

CREATE FUNCTION accounts.delete_membership_v1(p_user_id uuid, p_group_id uuid) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts.user_group_memberships SET is_active = false, updated_at = now()
  WHERE user_id = p_user_id AND group_id = p_group_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'membership not found' USING ERRCODE = 'P0002';
  END IF;
  UPDATE accounts.users SET updated_at = now() WHERE id = p_user_id;
  RETURN accounts.membership_json_v1(p_user_id, p_group_id);
END
$$;

-- Creates a user with optional contacts [{type, value}] and groups [name]; all or nothing.
CREATE FUNCTION accounts.create_user_v1(p_body jsonb) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_id uuid;
  v_contact jsonb;
  v_group text;
  v_group_id uuid;
BEGIN
  INSERT INTO accounts.users (profile, is_active)
  VALUES (COALESCE(p_body -> 'profile', '{}'::jsonb), COALESCE((p_body ->> 'is_active')::boolean, true))
  RETURNING id INTO v_id;
  FOR v_contact IN SELECT * FROM jsonb_array_elements(COALESCE(p_body -> 'contacts', '[]'::jsonb)) LOOP
    PERFORM accounts.add_contact_v1(v_id, v_contact ->> 'type', v_contact ->> 'value');
  END LOOP;
  FOR v_group IN SELECT * FROM jsonb_array_elements_text(COALESCE(p_body -> 'groups', '[]'::jsonb)) LOOP
    SELECT id INTO v_group_id FROM accounts.user_groups WHERE name = btrim(v_group);
    IF v_group_id IS NULL THEN
      RAISE EXCEPTION 'unknown user group "%"', v_group USING ERRCODE = 'UV001';
    END IF;
    PERFORM accounts.add_membership_v1(v_id, v_group_id);
  END LOOP;
  RETURN accounts.user_json_v1(v_id);
END
$$;

-- Profile keys are merged (a null value removes the key); is_active is set when given.
CREATE FUNCTION accounts.update_user_v1(p_id uuid, p_profile jsonb, p_is_active boolean) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts.users
  SET profile = CASE WHEN p_profile IS NULL THEN profile ELSE jsonb_strip_nulls(profile || p_profile) END,
      is_active = COALESCE(p_is_active, is_active),
      updated_at = now()
  WHERE id = p_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'user not found' USING ERRCODE = 'P0002';
  END IF;
  RETURN accounts.user_json_v1(p_id);
END
$$;

-- Dictionaries. Renames change every cached detail that shows the name, so updates return the affected users.
CREATE FUNCTION accounts.list_user_groups_v1() RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(json_agg(json_build_object('id', id, 'name', name, 'description', description) ORDER BY name), '[]'::json)
  FROM accounts.user_groups
$$;

CREATE FUNCTION accounts.create_user_group_v1(p_name text, p_description text) RETURNS json
LANGUAGE sql AS $$
  INSERT INTO accounts.user_groups (name, description) VALUES (p_name, COALESCE(p_description, ''))
  RETURNING json_build_object('id', id, 'name', name, 'description', description)
$$;

CREATE FUNCTION accounts.update_user_group_v1(p_id uuid, p_name text, p_description text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_old text;
  v_group json;
BEGIN
  SELECT name INTO v_old FROM accounts.user_groups WHERE id = p_id FOR UPDATE;
  IF v_old IS NULL THEN
    RAISE EXCEPTION 'user group not found' USING ERRCODE = 'P0002';
  END IF;
  -- Roles in access tokens come from group names: renaming admin would silently strip or grant rights.
  IF v_old = 'admin' AND p_name IS NOT NULL AND p_name <> v_old THEN
    RAISE EXCEPTION 'the built-in group admin cannot be renamed' USING ERRCODE = 'UR001';
  END IF;
  UPDATE accounts.user_groups SET name = COALESCE(p_name, name), description = COALESCE(p_description, description)
  WHERE id = p_id
  RETURNING json_build_object('id', id, 'name', name, 'description', description) INTO v_group;
  RETURN json_build_object('group', v_group, 'user_ids', COALESCE((
    SELECT json_agg(DISTINCT user_id) FROM accounts.user_group_memberships WHERE group_id = p_id AND is_active), '[]'::json));
END
$$;

CREATE FUNCTION accounts.delete_user_group_v1(p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
BEGIN
  SELECT name INTO v_name FROM accounts.user_groups WHERE id = p_id;
  IF v_name IS NULL THEN
    RAISE EXCEPTION 'user group not found' USING ERRCODE = 'P0002';
  END IF;
  IF v_name = 'admin' THEN
    RAISE EXCEPTION 'the built-in group admin cannot be deleted' USING ERRCODE = 'UR001';
  END IF;
  DELETE FROM accounts.user_groups WHERE id = p_id;  -- 23503 while memberships reference it
END
$$;

CREATE FUNCTION accounts.list_contact_types_v1() RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT COALESCE(json_agg(json_build_object('id', id, 'name', name, 'description', description) ORDER BY name), '[]'::json)
  FROM accounts.contact_types
$$;

CREATE FUNCTION accounts.create_contact_type_v1(p_name text, p_description text) RETURNS json
LANGUAGE sql AS $$
  INSERT INTO accounts.contact_types (name, description) VALUES (p_name, COALESCE(p_description, ''))
  RETURNING json_build_object('id', id, 'name', name, 'description', description)
$$;

CREATE FUNCTION accounts.update_contact_type_v1(p_id uuid, p_name text, p_description text) RETURNS json
LANGUAGE plpgsql AS $$
DECLARE
  v_old text;
  v_type json;
BEGIN
  SELECT name INTO v_old FROM accounts.contact_types WHERE id = p_id FOR UPDATE;
  IF v_old IS NULL THEN
    RAISE EXCEPTION 'contact type not found' USING ERRCODE = 'P0002';
  END IF;
  -- Identifier lookup depends on these three names.
  IF v_old IN ('email', 'phone', 'second_login') AND p_name IS NOT NULL AND p_name <> v_old THEN
    RAISE EXCEPTION 'the built-in contact type % cannot be renamed', v_old USING ERRCODE = 'UR001';
  END IF;
  UPDATE accounts.contact_types SET name = COALESCE(p_name, name), description = COALESCE(p_description, description)
  WHERE id = p_id
  RETURNING json_build_object('id', id, 'name', name, 'description', description) INTO v_type;
  RETURN json_build_object('contact_type', v_type, 'user_ids', COALESCE((
    SELECT json_agg(DISTINCT user_id) FROM accounts.user_contacts WHERE contact_type_id = p_id AND is_active), '[]'::json));
END
$$;

CREATE FUNCTION accounts.delete_contact_type_v1(p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_name text;
BEGIN
  SELECT name INTO v_name FROM accounts.contact_types WHERE id = p_id;
  IF v_name IS NULL THEN
    RAISE EXCEPTION 'contact type not found' USING ERRCODE = 'P0002';
  END IF;
  IF v_name IN ('email', 'phone', 'second_login') THEN
    RAISE EXCEPTION 'the built-in contact type % cannot be deleted', v_name USING ERRCODE = 'UR001';
  END IF;
  DELETE FROM accounts.contact_types WHERE id = p_id;  -- 23503 while contacts reference it
END
$$;
