-- Sign-ups in progress. A sign-up spans two services (the user is created in users, then its hash stored here), so
-- auth notes it down before the first step and removes the note in the same transaction as the second. A note that
-- outlives its sign-up by far belongs to an auth instance that died in between (or could not undo a failure): the
-- sweeper looks the user up and undoes it, so no account without a password stays active.
CREATE TABLE auth.pending_registrations (
  id            uuid PRIMARY KEY,
  identifiers   text[] NOT NULL,              -- e-mail / phone / second_login as given
  user_id       uuid,                         -- known once users answered
  created_at    timestamptz NOT NULL DEFAULT now(),
  claimed_until timestamptz                   -- a sweeper works on it until then
);
CREATE INDEX pending_registrations_by_age ON auth.pending_registrations (created_at);

CREATE FUNCTION auth.begin_registration_v1(p_id uuid, p_identifiers text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO auth.pending_registrations (id, identifiers) VALUES (p_id, p_identifiers);
END
$$;

CREATE FUNCTION auth.registration_user_v1(p_id uuid, p_user_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth.pending_registrations SET user_id = p_user_id WHERE id = p_id;
END
$$;

-- The second step: the password is stored and the note removed, in one transaction. False when the user already
-- had a password (never for a user just created).
CREATE FUNCTION auth.complete_registration_v1(p_id uuid, p_user_id uuid, p_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO auth.credentials (user_id, password_hash) VALUES (p_user_id, p_hash) ON CONFLICT (user_id) DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  DELETE FROM auth.pending_registrations WHERE id = p_id;
  RETURN true;
END
$$;

-- The sign-up ended without an account (users refused it, or it was undone).
CREATE FUNCTION auth.end_registration_v1(p_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM auth.pending_registrations WHERE id = p_id;
END
$$;

-- Claims up to p_limit notes older than p_older_than_seconds for p_claim_seconds (several auth instances never work
-- on the same note at once).
CREATE FUNCTION auth.claim_stale_registrations_v1(p_older_than_seconds integer, p_claim_seconds integer, p_limit integer)
RETURNS TABLE (id uuid, identifiers text[], user_id uuid, created_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
    UPDATE auth.pending_registrations r SET claimed_until = now() + make_interval(secs => p_claim_seconds)
     WHERE r.id IN (SELECT s.id FROM auth.pending_registrations s
                     WHERE s.created_at < now() - make_interval(secs => p_older_than_seconds)
                       AND (s.claimed_until IS NULL OR s.claimed_until < now())
                     ORDER BY s.created_at
                     LIMIT p_limit
                     FOR UPDATE SKIP LOCKED)
    RETURNING r.id, r.identifiers, r.user_id, r.created_at;
END
$$;

-- A sign-up stores its first password with complete_registration_v1 now (together with removing the note).
DROP FUNCTION auth.create_credentials_v1(uuid, text);
