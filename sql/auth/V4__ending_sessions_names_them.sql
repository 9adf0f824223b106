-- Ending every session of a user (deactivation, a change of its roles, logout everywhere, a password change by an
-- admin) also names the sessions it ended, so that auth revokes them by id at once ('session' revocations, which
-- every guard checks by the token's sid). The not-before time alone is a whole second: a token issued within the
-- second of an earlier cut carries iat = that cut + 1 and would survive a second cut in that same second (a role
-- granted, a login, the role taken back, all within one second).
CREATE FUNCTION auth.end_user_sessions_v2(p_user_id uuid, p_reason text)
RETURNS TABLE (not_before bigint, ended uuid[])
LANGUAGE plpgsql AS $$
DECLARE
  v_ended uuid[];
  v_cut bigint;
BEGIN
  WITH revoked AS (
    UPDATE auth.refresh_families SET revoked_at = now(), revoked_reason = p_reason
     WHERE user_id = p_user_id AND revoked_at IS NULL
    RETURNING id
  )
  SELECT coalesce(array_agg(id), '{}') INTO v_ended FROM revoked;
  v_cut := ceil(extract(epoch FROM clock_timestamp()))::bigint;
  INSERT INTO auth.user_not_before AS n (user_id, not_before) VALUES (p_user_id, v_cut)
  ON CONFLICT (user_id) DO UPDATE SET not_before = greatest(n.not_before, EXCLUDED.not_before)
  RETURNING n.not_before INTO not_before;
  ended := v_ended;
  RETURN NEXT;
END
$$;
