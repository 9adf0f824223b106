-- Transactional outbox and processed-event inbox, shared by every service (applied to each service database
-- with its own Flyway history table, events.flyway_events_history). Java calls only the functions below.
CREATE SCHEMA IF NOT EXISTS events;

-- One row per event written in the same transaction as the business change. id gives the publish order.
CREATE TABLE events.outbox (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id       uuid        NOT NULL UNIQUE DEFAULT gen_random_uuid(),
  event_type     text        NOT NULL,
  aggregate_id   text        NOT NULL,
  producer       text        NOT NULL,
  correlation_id text,
  data           jsonb       NOT NULL,
  occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  sent_at        timestamptz
);
CREATE INDEX outbox_unsent_idx ON events.outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_idx ON events.outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Exactly one relay per database publishes at a time (a lease, taken over when it expires): that is what keeps
-- an aggregate's events in order even with several instances of a service.
CREATE TABLE events.relay_lease (
  id          int PRIMARY KEY CHECK (id = 1),
  owner       text,
  valid_until timestamptz NOT NULL
);
INSERT INTO events.relay_lease (id, owner, valid_until) VALUES (1, NULL, '-infinity');

-- Event ids a consumer has applied; recorded in the same transaction as the handler's changes.
CREATE TABLE events.inbox (
  event_id     uuid PRIMARY KEY,
  event_type   text        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX inbox_processed_idx ON events.inbox (processed_at);

-- Appends an event inside the caller's transaction. The per-aggregate transaction lock makes a later event of the
-- same aggregate wait until the earlier one committed, so id order = commit order within an aggregate and the
-- relay can never see (and publish) an aggregate's later event before its earlier one.
CREATE FUNCTION events.outbox_append_v1(p_event_type text, p_aggregate_id text, p_producer text,
                                        p_correlation_id text, p_data jsonb)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  v_event_id uuid;
BEGIN
  IF p_event_type IS NULL OR p_event_type !~ '^[a-z0-9_]+(\.[a-z0-9_]+)+$' THEN
    RAISE EXCEPTION 'invalid event type %', p_event_type USING ERRCODE = '22023';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('events.outbox:' || p_aggregate_id, 0));
  INSERT INTO events.outbox (event_type, aggregate_id, producer, correlation_id, data)
  VALUES (p_event_type, p_aggregate_id, p_producer, p_correlation_id, coalesce(p_data, '{}'::jsonb))
  RETURNING event_id INTO v_event_id;
  RETURN v_event_id;
END $$;

-- Takes or renews the relay lease for p_owner and returns the oldest unsent events (at most p_limit), in id
-- order; returns nothing while another relay holds a valid lease.
CREATE FUNCTION events.outbox_claim_v1(p_owner text, p_lease_ms int, p_limit int)
RETURNS TABLE (id bigint, event_id uuid, event_type text, aggregate_id text, producer text, correlation_id text,
               data jsonb, occurred_at timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE events.relay_lease l
     SET owner = p_owner, valid_until = clock_timestamp() + p_lease_ms * interval '1 millisecond'
   WHERE l.id = 1 AND (l.owner = p_owner OR l.valid_until < clock_timestamp());
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY
    SELECT o.id, o.event_id, o.event_type, o.aggregate_id, o.producer, o.correlation_id, o.data, o.occurred_at
      FROM events.outbox o
     WHERE o.sent_at IS NULL
     ORDER BY o.id
     LIMIT p_limit;
END $$;

-- Marks events sent once the broker confirmed them. Returns how many rows changed.
CREATE FUNCTION events.outbox_mark_sent_v1(p_ids bigint[])
RETURNS int LANGUAGE sql AS $$
  WITH done AS (
    UPDATE events.outbox SET sent_at = clock_timestamp()
     WHERE id = ANY (p_ids) AND sent_at IS NULL
    RETURNING 1)
  SELECT count(*)::int FROM done;
$$;

-- Gives the lease up on a graceful stop so another instance takes over at once.
CREATE FUNCTION events.outbox_release_v1(p_owner text)
RETURNS void LANGUAGE sql AS $$
  UPDATE events.relay_lease SET owner = NULL, valid_until = '-infinity' WHERE id = 1 AND owner = p_owner;
$$;

CREATE FUNCTION events.outbox_backlog_v1()
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT count(*) FROM events.outbox WHERE sent_at IS NULL;
$$;

-- Deletes at most p_limit sent rows older than the retention; bounded so one call never holds locks for long.
CREATE FUNCTION events.outbox_prune_v1(p_retention_ms bigint, p_limit int)
RETURNS int LANGUAGE sql AS $$
  WITH doomed AS (
    SELECT id FROM events.outbox
     WHERE sent_at IS NOT NULL AND sent_at < clock_timestamp() - p_retention_ms * interval '1 millisecond'
     ORDER BY sent_at
     LIMIT p_limit),
  gone AS (DELETE FROM events.outbox o USING doomed d WHERE o.id = d.id RETURNING 1)
  SELECT count(*)::int FROM gone;
$$;

-- Records that this service applied an event. false = already applied (a duplicate delivery): the caller skips
-- its changes. A concurrent duplicate blocks on the primary key until the first transaction ends.
CREATE FUNCTION events.inbox_record_v1(p_event_id uuid, p_event_type text)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO events.inbox (event_id, event_type) VALUES (p_event_id, p_event_type)
  ON CONFLICT (event_id) DO NOTHING;
  RETURN FOUND;
END $$;

CREATE FUNCTION events.inbox_prune_v1(p_retention_ms bigint, p_limit int)
RETURNS int LANGUAGE sql AS $$
  WITH doomed AS (
    SELECT event_id FROM events.inbox
     WHERE processed_at < clock_timestamp() - p_retention_ms * interval '1 millisecond'
     ORDER BY processed_at
     LIMIT p_limit),
  gone AS (DELETE FROM events.inbox i USING doomed d WHERE i.event_id = d.event_id RETURNING 1)
  SELECT count(*)::int FROM gone;
$$;
