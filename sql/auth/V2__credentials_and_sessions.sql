-- Credentials and sessions of auth. Every business query is a versioned stored function (PL/pgSQL: plans are
-- cached per connection); Java never sends other SQL for this data. Users themselves live in the users service:
-- user_id here is users' id, without a foreign key (another database, SPEC §2).

-- One password per user: an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash). The parameters travel in
-- the string, so they can be raised later; a login re-hashes a hash made with older ones.
CREATE TABLE auth.credentials (
  user_id       uuid PRIMARY KEY,
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A user's sessions end before this instant (epoch seconds): written by logout-everywhere and by deactivation.
-- Access tokens with iat <= not_before are rejected by every guard (auth mirrors it into Redis db 0,
-- auth:user_nbf:{user_id}); auth issues later tokens with iat > not_before.
CREATE TABLE auth.user_not_before (
  user_id    uuid PRIMARY KEY,
  not_before bigint NOT NULL
);
CREATE INDEX user_not_before_by_time ON auth.user_not_before (not_before);

-- A session = a refresh-token family: the first token of a login and every token rotated from it.
-- roles: the user's groups when the session began, used when users cannot be reached at a refresh.
CREATE TABLE auth.refresh_families (
  id             uuid PRIMARY KEY,
  user_id        uuid NOT NULL,
  roles          text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,          -- absolute end of the session, whatever the rotations
  revoked_at     timestamptz,
  revoked_reason text
);
CREATE INDEX refresh_families_live_by_user ON auth.refresh_families (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_families_by_expiry ON auth.refresh_families (expires_at);
CREATE INDEX refresh_families_by_revocation ON auth.refresh_families (revoked_at) WHERE revoked_at IS NOT NULL;

-- Refresh tokens: only the SHA-256 of the opaque 256-bit token is stored. parent_hash links a rotated token to the
-- one it replaced; a token has at most one child (unique), so a family is a chain and "the live token" is its end.
CREATE TABLE auth.refresh_tokens (
  token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
  family_id   uuid NOT NULL REFERENCES auth.refresh_families (id) ON DELETE CASCADE,
  parent_hash bytea UNIQUE,
  issued_at   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  rotated_at  timestamptz,
  revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_by_family ON auth.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_by_expiry ON auth.refresh_tokens (expires_at);

-- Logged-out access tokens (iss, jti) until they expire: the durable record behind Redis' deny-list
-- (auth:revoked:{iss}:{jti}), from which auth writes Redis again after Redis lost its data.
CREATE TABLE auth.denied_access_tokens (
  issuer     text NOT NULL,
  jti        text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (issuer, jti)
);
CREATE INDEX denied_access_tokens_by_expiry ON auth.denied_access_tokens (expires_at);

-- Times in tokens come from the database's clock, in epoch seconds, so that a cut-off and the tokens it must (or
-- must not) reject are ordered by the same clock: a not-before time is the next whole second after the moment its
-- transaction holds the user's sessions, and a token's iat the second of the transaction that authorised it.
CREATE FUNCTION auth.epoch_v1(p_at timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor(extract(epoch FROM p_at))::bigint
$$;

-- ------------------------------------------------------------------------------------------------ credentials

-- The stored hash, or NULL when the user has no password.
CREATE FUNCTION auth.get_credentials_v1(p_user_id uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT c.password_hash FROM auth.credentials c WHERE c.user_id = p_user_id);
END
$$;

-- Stores a first password: false when the user already has one (the caller decides whether that is a conflict).
CREATE FUNCTION auth.create_credentials_v1(p_user_id uuid, p_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO auth.credentials (user_id, password_hash) VALUES (p_user_id, p_hash) ON CONFLICT (user_id) DO NOTHING;
  RETURN FOUND;
END
$$;

-- Sets (or replaces) the password and ends every other session of the user (all when p_keep_family is NULL).
-- Returns the sessions it ended (their access tokens are deny-listed by session id).
CREATE FUNCTION auth.set_credentials_v1(p_user_id uuid, p_hash text, p_keep_family uuid) RETURNS SETOF uuid
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO auth.credentials (user_id, password_hash) VALUES (p_user_id, p_hash)
  ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, updated_at = now();
  RETURN QUERY
    UPDATE auth.refresh_families f SET revoked_at = now(), revoked_reason = 'password_changed'
     WHERE f.user_id = p_user_id AND f.revoked_at IS NULL AND f.id IS DISTINCT FROM p_keep_family
    RETURNING f.id;
END
$$;

-- Replaces a hash made with older parameters, only if it is still the one that was verified (a password change in
-- between wins). True when replaced.
CREATE FUNCTION auth.rehash_credentials_v1(p_user_id uuid, p_old_hash text, p_new_hash text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth.credentials SET password_hash = p_new_hash, updated_at = now()
   WHERE user_id = p_user_id AND password_hash = p_old_hash;
  RETURN FOUND;
END
$$;

-- ------------------------------------------------------------------------------------------------ sessions

-- The user's not-before time (epoch seconds), 0 when none.
CREATE FUNCTION auth.get_not_before_v1(p_user_id uuid) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN COALESCE((SELECT n.not_before FROM auth.user_not_before n WHERE n.user_id = p_user_id), 0);
END
$$;

-- Starts a session (login): a new family with its first token. Returns the user's not-before time (epoch seconds,
-- 0 when none) and the second of this transaction: the access token issued with it gets the later of
-- issued_at and not_before + 1 as its iat.
CREATE FUNCTION auth.start_session_v1(p_user_id uuid, p_family_id uuid, p_roles text[], p_token_hash bytea,
                                      p_ttl_seconds integer, p_max_age_seconds integer)
RETURNS TABLE (not_before bigint, issued_at bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_family_expires timestamptz := now() + make_interval(secs => p_max_age_seconds);
BEGIN
  INSERT INTO auth.refresh_families (id, user_id, roles, expires_at) VALUES (p_family_id, p_user_id, p_roles, v_family_expires);
  INSERT INTO auth.refresh_tokens (token_hash, family_id, expires_at)
  VALUES (p_token_hash, p_family_id, least(now() + make_interval(secs => p_ttl_seconds), v_family_expires));
  RETURN QUERY SELECT auth.get_not_before_v1(p_user_id), auth.epoch_v1(now());
END
$$;

-- Refresh: check and rotate in one step, serialised per family by a row lock, so two refreshes racing with the
-- same token cannot both rotate it (Keycloak PR #46054 had that race). p_child_hash is the hash of the token that
-- replaces p_hash; Java derives that token from the presented one with a server key (HMAC), so presenting the same
-- parent again yields the same child, and only the server can compute it.
--
-- outcome:
--   rotated   the token was live: its child is now the live token of the family
--   replayed  the token is the immediate parent of the live token, rotated at most p_grace_seconds ago (a lost
--             response, two tabs): the same child again, nothing changes
--   reused    any other presentation of a rotated token (after the window, or a grandparent of the live token,
--             the mistake of django-oauth-toolkit #1617): the whole family is revoked
--   revoked | expired | unknown
CREATE FUNCTION auth.rotate_refresh_v1(p_hash bytea, p_child_hash bytea, p_grace_seconds integer, p_ttl_seconds integer)
RETURNS TABLE (outcome text, user_id uuid, family_id uuid, roles text[], not_before bigint, issued_at bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_family_id uuid;
  v_family auth.refresh_families%ROWTYPE;
  v_token auth.refresh_tokens%ROWTYPE;
  v_child auth.refresh_tokens%ROWTYPE;
BEGIN
  SELECT t.family_id INTO v_family_id FROM auth.refresh_tokens t WHERE t.token_hash = p_hash;
  IF v_family_id IS NULL THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::uuid, NULL::uuid, NULL::text[], NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  -- Every rotation of a family takes this lock first; the token row is read again under it (pruning may have
  -- removed either in between).
  SELECT * INTO v_family FROM auth.refresh_families f WHERE f.id = v_family_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::uuid, NULL::uuid, NULL::text[], NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  SELECT * INTO v_token FROM auth.refresh_tokens t WHERE t.token_hash = p_hash;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'unknown'::text, NULL::uuid, NULL::uuid, NULL::text[], NULL::bigint, NULL::bigint;
    RETURN;
  END IF;

  IF v_family.revoked_at IS NOT NULL OR v_token.revoked_at IS NOT NULL THEN
    outcome := 'revoked';
  ELSIF v_token.rotated_at IS NULL THEN
    IF v_token.expires_at <= now() THEN
      outcome := 'expired';
    ELSE
      INSERT INTO auth.refresh_tokens (token_hash, family_id, parent_hash, expires_at)
      VALUES (p_child_hash, v_family.id, p_hash,
              least(now() + make_interval(secs => p_ttl_seconds), v_family.expires_at));
      UPDATE auth.refresh_tokens t SET rotated_at = now() WHERE t.token_hash = p_hash;
      outcome := 'rotated';
    END IF;
  ELSE
    SELECT * INTO v_child FROM auth.refresh_tokens t WHERE t.parent_hash = p_hash;
    IF v_child.token_hash = p_child_hash AND v_child.rotated_at IS NULL AND v_child.revoked_at IS NULL
       AND v_child.expires_at > now() AND v_token.rotated_at >= now() - make_interval(secs => p_grace_seconds) THEN
      outcome := 'replayed';
    ELSE
      UPDATE auth.refresh_families f SET revoked_at = now(), revoked_reason = 'reuse_detected' WHERE f.id = v_family.id;
      outcome := 'reused';
    END IF;
  END IF;
  RETURN QUERY SELECT outcome, v_family.user_id, v_family.id, v_family.roles, auth.get_not_before_v1(v_family.user_id),
    auth.epoch_v1(now());
END
$$;

-- After a refresh asked users: the session's roles as they are now (the fallback when users cannot be asked).
CREATE FUNCTION auth.set_family_roles_v1(p_family_id uuid, p_roles text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth.refresh_families SET roles = p_roles WHERE id = p_family_id AND roles IS DISTINCT FROM p_roles;
END
$$;

-- Ends one session (logout). True when it was live.
CREATE FUNCTION auth.revoke_family_v1(p_family_id uuid, p_reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE auth.refresh_families SET revoked_at = now(), revoked_reason = p_reason
   WHERE id = p_family_id AND revoked_at IS NULL;
  RETURN FOUND;
END
$$;

-- Ends every session of a user and moves its not-before time forward (never backwards): logout everywhere,
-- deactivation. The time is taken once the user's live sessions are locked, i.e. after every refresh that was
-- rotating one of them has committed, and rounded up: every token such a refresh authorised has iat <= it.
-- Returns the not-before time now in force.
CREATE FUNCTION auth.end_user_sessions_v1(p_user_id uuid, p_reason text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_cut bigint;
  v_not_before bigint;
BEGIN
  UPDATE auth.refresh_families SET revoked_at = now(), revoked_reason = p_reason
   WHERE user_id = p_user_id AND revoked_at IS NULL;
  v_cut := ceil(extract(epoch FROM clock_timestamp()))::bigint;
  INSERT INTO auth.user_not_before AS n (user_id, not_before) VALUES (p_user_id, v_cut)
  ON CONFLICT (user_id) DO UPDATE SET not_before = greatest(n.not_before, EXCLUDED.not_before)
  RETURNING n.not_before INTO v_not_before;
  RETURN v_not_before;
END
$$;

-- Records a logged-out access token until it expires.
CREATE FUNCTION auth.deny_access_token_v1(p_issuer text, p_jti text, p_expires_at bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO auth.denied_access_tokens (issuer, jti, expires_at) VALUES (p_issuer, p_jti, p_expires_at)
  ON CONFLICT (issuer, jti) DO NOTHING;
END
$$;

-- What Redis must hold at p_now (epoch seconds), p_horizon_seconds being an access token's lifetime plus leeway:
-- the denied tokens not yet expired ('token', issuer, jti, expires_at), the not-before times younger than the
-- horizon ('user', NULL, user_id, not_before) and the sessions ended within it ('session', NULL, family id, the
-- second it ended): older ones outlive every token they could reject.
CREATE FUNCTION auth.live_revocations_v1(p_now bigint, p_horizon_seconds integer)
RETURNS TABLE (kind text, issuer text, subject text, until_or_at bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
    SELECT 'token'::text, d.issuer, d.jti, d.expires_at FROM auth.denied_access_tokens d WHERE d.expires_at > p_now
    UNION ALL
    SELECT 'user'::text, NULL::text, n.user_id::text, n.not_before FROM auth.user_not_before n
     WHERE n.not_before > p_now - p_horizon_seconds
    UNION ALL
    SELECT 'session'::text, NULL::text, f.id::text, auth.epoch_v1(f.revoked_at) FROM auth.refresh_families f
     WHERE f.revoked_at IS NOT NULL AND f.revoked_at > to_timestamp(p_now - p_horizon_seconds);
END
$$;

-- Housekeeping: removes what can no longer matter (expired or revoked for a day; not-before times older than
-- p_horizon_seconds, which outlive every token they could reject). Returns rows removed.
CREATE FUNCTION auth.prune_v1(p_now bigint, p_horizon_seconds integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_families integer;
  v_tokens integer;
  v_denied integer;
  v_cutoffs integer;
BEGIN
  DELETE FROM auth.refresh_families
   WHERE expires_at < now() - interval '1 day' OR revoked_at < now() - interval '1 day';
  GET DIAGNOSTICS v_families = ROW_COUNT;
  DELETE FROM auth.refresh_tokens WHERE expires_at < now() - interval '1 day';
  GET DIAGNOSTICS v_tokens = ROW_COUNT;
  DELETE FROM auth.denied_access_tokens WHERE expires_at < p_now;
  GET DIAGNOSTICS v_denied = ROW_COUNT;
  DELETE FROM auth.user_not_before WHERE not_before < p_now - p_horizon_seconds;
  GET DIAGNOSTICS v_cutoffs = ROW_COUNT;
  RETURN v_families + v_tokens + v_denied + v_cutoffs;
END
$$;
