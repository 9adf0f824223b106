-- Publishes an event again under its own event id (a consumer that has it in its inbox skips it, one that missed it
-- applies it): the outbox row is queued again, or written again with the same id if it was pruned meanwhile.
CREATE FUNCTION events.outbox_republish_v1(p_event_id uuid, p_event_type text, p_aggregate_id text, p_producer text,
                                           p_correlation_id text, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('events.outbox:' || p_aggregate_id, 0));
  UPDATE events.outbox o SET sent_at = NULL WHERE o.event_id = p_event_id;
  IF NOT FOUND THEN
    INSERT INTO events.outbox (event_id, event_type, aggregate_id, producer, correlation_id, data)
    VALUES (p_event_id, p_event_type, p_aggregate_id, p_producer, p_correlation_id, coalesce(p_data, '{}'::jsonb));
  END IF;
END $$;
