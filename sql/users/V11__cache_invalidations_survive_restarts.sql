-- Cache invalidations that survive the instance (issue 13): every write that changes what the cache shows records
-- what it invalidates here, in its own transaction, so the record exists exactly when the change does. The instance
-- deletes the record once Redis took the invalidation. A record that stays (Redis unreachable, the breaker open, the
-- instance killed before it got there) is sent again by whichever instance sweeps next: each one on start and every
-- few seconds (docs/users.md, Cache). Sending one twice is harmless: it deletes keys and moves markers forward.
-- PL/pgSQL, so each statement's plan is kept per connection (V7).

CREATE TABLE accounts.pending_cache_invalidations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_ids uuid[] NOT NULL,
  -- Full Redis keys (dictionary lists), as the instance that wrote them names them (its namespace included).
  plain_keys text[] NOT NULL,
  -- Names of cached misses (user_unknown:{key} sets), without the namespace.
  unknown_keys text[] NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- In the write's transaction; the id is deleted after Redis took the invalidation.
CREATE FUNCTION accounts.record_cache_invalidation_v1(p_user_ids uuid[], p_plain_keys text[], p_unknown_keys text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_id bigint;
BEGIN
  INSERT INTO accounts.pending_cache_invalidations (user_ids, plain_keys, unknown_keys)
  VALUES (p_user_ids, p_plain_keys, p_unknown_keys)
  RETURNING id INTO v_id;
  RETURN v_id;
END
$$;

CREATE FUNCTION accounts.cache_invalidations_done_v1(p_ids bigint[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  DELETE FROM accounts.pending_cache_invalidations WHERE id = ANY (p_ids);
END
$$;

-- Records older than p_older_than_ms (younger ones are most likely a live instance's write in flight), oldest first,
-- with a WAL position at or after every listed record's commit: each one is visible, so it committed before this
-- query's snapshot, and the insert position read during the query is past its commit record. The sweeper marks the
-- users written at that position (their replica data counts once the replica has replayed that far). On the primary
-- only (pg_current_wal_insert_lsn() fails during recovery).
CREATE FUNCTION accounts.pending_cache_invalidations_v1(p_older_than_ms integer, p_limit integer,
                                                        OUT id bigint, OUT user_ids uuid[], OUT plain_keys text[],
                                                        OUT unknown_keys text[], OUT committed_by pg_lsn)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN QUERY
    SELECT p.id, p.user_ids, p.plain_keys, p.unknown_keys, pg_current_wal_insert_lsn()
    FROM accounts.pending_cache_invalidations p
    WHERE p.recorded_at <= clock_timestamp() - make_interval(secs => p_older_than_ms / 1000.0)
    ORDER BY p.id
    LIMIT p_limit;
END
$$;
