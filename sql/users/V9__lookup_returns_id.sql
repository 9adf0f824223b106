-- The by-identifier lookup for the cache (issue 12): the user's id next to its detail, so a miss fills the cache's
-- reverse index (user_identifiers:{id}) without the service parsing the JSON to find the id. Same rules as
-- get_user_by_identifier_v1 (V3, V8): UUID -> users.id, else the contact of the identifier's kind, a UUID-shaped
-- identifier that is no active user's id tried as a second_login as given; only active users and contacts.
-- PL/pgSQL, so each statement's plan is kept per connection (V7).
-- No such user: user_id and detail NULL, and unknown_key the identifier as every spelling that would find the same
-- user reads it (a UUID in canonical form, an e-mail in lower case as lower() stores contacts, else as given): the
-- service caches the miss under it, and a write that creates one of the user's identifiers deletes it by the same name.
CREATE FUNCTION accounts.get_user_by_identifier_v2(p_identifier text, OUT user_id uuid, OUT detail json, OUT unknown_key text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_shape text := accounts.identifier_kind_v1(p_identifier);
  v_kind text := v_shape;
BEGIN
  IF v_kind = 'uuid' THEN
    SELECT u.id INTO user_id FROM accounts.users u WHERE u.id = p_identifier::uuid AND u.is_active;
    IF user_id IS NULL THEN
      v_kind := 'second_login';
    END IF;
  END IF;
  IF user_id IS NULL THEN
    SELECT c.user_id INTO user_id
    FROM accounts.user_contacts c
    JOIN accounts.contact_types ct ON ct.id = c.contact_type_id
    JOIN accounts.users u ON u.id = c.user_id
    WHERE c.is_active AND u.is_active
      AND ct.name = v_kind
      AND c.value = CASE WHEN v_kind = 'email' THEN lower(p_identifier) ELSE p_identifier END;
  END IF;
  IF user_id IS NOT NULL THEN
    detail := accounts.user_json_v1(user_id);
  ELSE
    unknown_key := CASE v_shape WHEN 'uuid' THEN p_identifier::uuid::text WHEN 'email' THEN lower(p_identifier)
                   ELSE p_identifier END;
  END IF;
END
$$;

-- v1 keeps its contract (the include-inactive lookup and older callers use it) and reads it from v2: one copy of the rules.
CREATE OR REPLACE FUNCTION accounts.get_user_by_identifier_v1(p_identifier text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT r.detail FROM accounts.get_user_by_identifier_v2(p_identifier) r);
END
$$;
