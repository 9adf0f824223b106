-- Payment notifications from 2can and the payments they describe. Every business query is a versioned stored
-- function (PL/pgSQL: plans cached per connection); ingest is ONE call in one transaction: the notification is
-- stored byte for byte, applied to its payment by the state machine below, and its event written to the outbox.
--
-- The state machine (docs/webhook.md):
--   pending -> succeeded | failed,  succeeded -> refunded;  failed and refunded are final.
--   A notification applies when its status is a transition from the payment's current status and its occurred_at
--   is not older than the current status's. Otherwise it is kept, not applied, with the reason:
--     same_status         the payment already has this status
--     older_than_current  a transition, but it happened before the status the payment holds
--     not_a_transition    e.g. pending after succeeded, anything after failed/refunded
--     awaiting_succeeded  a refund before its payment succeeded: applied as soon as succeeded is
-- Business errors are not raised: outcomes are returned.

CREATE TABLE webhook.notifications (
  event_id       text PRIMARY KEY,
  body           bytea NOT NULL,                -- the raw request body, byte for byte (what the signature covered)
  body_sha256    bytea NOT NULL,
  secret         text NOT NULL CHECK (secret IN ('current', 'previous')),   -- which secret verified it
  transaction_id text NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
  amount         bigint NOT NULL CHECK (amount >= 0),                     -- minor units
  currency       char(3) NOT NULL,
  payer_phone    text,
  order_id       text,
  occurred_at    timestamptz NOT NULL,
  received_at    timestamptz NOT NULL DEFAULT now(),
  applied        boolean NOT NULL DEFAULT false,
  reason         text,
  version        integer,                       -- the payment version this notification produced (when applied)
  outbox_event_id uuid,                         -- the envelope id of its event, once written to the outbox
  request_id     text
);
CREATE INDEX notifications_by_transaction ON webhook.notifications (transaction_id, occurred_at);
CREATE INDEX notifications_by_received ON webhook.notifications (received_at, event_id);
CREATE INDEX notifications_by_status ON webhook.notifications (status, received_at, event_id);

-- One row per transaction: the status it holds now (NULL while only a refund has arrived) and when that status
-- happened at 2can; version counts applied changes (events carry it, so consumers can order and deduplicate).
CREATE TABLE webhook.payments (
  transaction_id     text PRIMARY KEY,
  status             text CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
  amount             bigint NOT NULL,
  currency           char(3) NOT NULL,
  payer_phone        text,
  order_id           text,
  user_id            uuid,
  status_occurred_at timestamptz,
  version            integer NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_unresolved_payer ON webhook.payments (payer_phone) WHERE user_id IS NULL AND payer_phone IS NOT NULL;

-- Payer phone -> users' user id, resolved in the background (never on the request path). resolved_at NULL: to be
-- (re)resolved; user_id NULL once resolved: no user has this phone.
CREATE TABLE webhook.payers (
  phone           text PRIMARY KEY,
  user_id         uuid,
  resolved_at     timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  claimed_until   timestamptz,
  last_error      text
);
CREATE INDEX payers_to_resolve ON webhook.payers (next_attempt_at) WHERE resolved_at IS NULL;

-- Events waiting for their payer's user id; moved to the outbox (in id order) once it is known.
CREATE TABLE webhook.deferred_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id text NOT NULL,
  payer_phone    text NOT NULL,
  notification   text NOT NULL,                 -- event_id of the notification whose event this is
  event_type     text NOT NULL,
  data           jsonb NOT NULL,
  correlation_id text,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deferred_events_by_age ON webhook.deferred_events (created_at);
CREATE INDEX deferred_events_by_phone ON webhook.deferred_events (payer_phone, id);
CREATE INDEX deferred_events_by_transaction ON webhook.deferred_events (transaction_id);

CREATE FUNCTION webhook.event_type_v1(p_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE p_status WHEN 'pending' THEN 'payment.received' ELSE 'payment.' || p_status END
$$;

-- Writes the event of an applied status: to the outbox at once when the payer's user id is known (or there is no
-- payer), else deferred until the resolver knows it. A transaction with deferred events defers its later ones too,
-- so its events keep their order. A payment's user_id is set once, from the first resolution of its payer (a phone
-- may later move to another user; the payment stays with who paid). Returns the outbox event id, NULL when deferred.
CREATE FUNCTION webhook.emit_v1(p_payment webhook.payments, p_event_id text, p_correlation_id text, p_fresh_seconds integer)
RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
  v_data jsonb := jsonb_build_object(
    'transaction_id', p_payment.transaction_id, 'event_id', p_event_id, 'status', p_payment.status,
    'amount', p_payment.amount, 'currency', p_payment.currency, 'occurred_at', p_payment.status_occurred_at,
    'order_id', p_payment.order_id, 'payer_phone', p_payment.payer_phone, 'version', p_payment.version);
  v_payer webhook.payers%ROWTYPE;
  v_user uuid;
BEGIN
  IF p_payment.payer_phone IS NULL THEN
    RETURN events.outbox_append_v1(webhook.event_type_v1(p_payment.status), p_payment.transaction_id, 'webhook',
      p_correlation_id, v_data || jsonb_build_object('user_id', NULL));
  END IF;
  SELECT * INTO v_payer FROM webhook.payers p WHERE p.phone = p_payment.payer_phone;
  IF FOUND AND v_payer.resolved_at > now() - make_interval(secs => p_fresh_seconds)
     AND NOT EXISTS (SELECT 1 FROM webhook.deferred_events d WHERE d.transaction_id = p_payment.transaction_id) THEN
    v_user := coalesce(p_payment.user_id, v_payer.user_id);
    IF p_payment.user_id IS NULL AND v_user IS NOT NULL THEN
      UPDATE webhook.payments p SET user_id = v_user WHERE p.transaction_id = p_payment.transaction_id;
    END IF;
    RETURN events.outbox_append_v1(webhook.event_type_v1(p_payment.status), p_payment.transaction_id, 'webhook',
      p_correlation_id, v_data || jsonb_build_object('user_id', v_user));
  END IF;
  -- Unknown phone: to be resolved; a resolution grown old: resolved again.
  INSERT INTO webhook.payers AS p (phone) VALUES (p_payment.payer_phone)
  ON CONFLICT (phone) DO UPDATE SET resolved_at = NULL, next_attempt_at = least(p.next_attempt_at, now())
   WHERE p.resolved_at IS NOT NULL;
  INSERT INTO webhook.deferred_events (transaction_id, payer_phone, notification, event_type, data, correlation_id)
  VALUES (p_payment.transaction_id, p_payment.payer_phone, p_event_id, webhook.event_type_v1(p_payment.status), v_data,
          p_correlation_id);
  RETURN NULL;
END
$$;

-- Applies p_status to the payment (locked by the caller), writes its event and records on the notification the
-- version it produced and its event's id. The payment keeps the amount that was paid: a refund's own amount stays
-- with its notification. Returns the new row.
CREATE FUNCTION webhook.apply_v1(p_payment webhook.payments, p_status text, p_occurred_at timestamptz, p_amount bigint,
                                 p_currency text, p_event_id text, p_correlation_id text, p_fresh_seconds integer)
RETURNS webhook.payments
LANGUAGE plpgsql AS $$
DECLARE
  v_payment webhook.payments%ROWTYPE;
  v_outbox uuid;
BEGIN
  UPDATE webhook.payments p
     SET status = p_status, status_occurred_at = p_occurred_at,
         amount = CASE WHEN p_status = 'refunded' THEN p.amount ELSE p_amount END,
         currency = CASE WHEN p_status = 'refunded' THEN p.currency ELSE p_currency END,
         version = p.version + 1, updated_at = now()
   WHERE p.transaction_id = p_payment.transaction_id
  RETURNING * INTO v_payment;
  v_outbox := webhook.emit_v1(v_payment, p_event_id, p_correlation_id, p_fresh_seconds);
  UPDATE webhook.notifications n SET version = v_payment.version, outbox_event_id = v_outbox WHERE n.event_id = p_event_id;
  RETURN v_payment;
END
$$;

-- The one call of POST /webhooks/2can (after the signature was verified and the body validated).
-- outcome: stored (new notification) | duplicate (the same event_id with the same body: nothing changes, the original
-- outcome is returned) | conflict (the same event_id with another body: nothing changes).
CREATE FUNCTION webhook.ingest_v1(p_event_id text, p_body bytea, p_body_sha256 bytea, p_secret text, p_transaction_id text,
                                  p_status text, p_amount bigint, p_currency text, p_payer_phone text, p_order_id text,
                                  p_occurred_at timestamptz, p_request_id text, p_fresh_seconds integer)
RETURNS TABLE (outcome text, applied boolean, reason text, payment_status text, version integer, waiting integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_existing webhook.notifications%ROWTYPE;
  v_payment webhook.payments%ROWTYPE;
  v_refund webhook.notifications%ROWTYPE;
  v_current text;
  v_apply boolean;
  v_reason text;
BEGIN
  -- Concurrent copies serialise on the primary key: one inserts, the others see its committed row below.
  INSERT INTO webhook.notifications (event_id, body, body_sha256, secret, transaction_id, status, amount, currency,
                                     payer_phone, order_id, occurred_at, request_id)
  VALUES (p_event_id, p_body, p_body_sha256, p_secret, p_transaction_id, p_status, p_amount, p_currency, p_payer_phone,
          p_order_id, p_occurred_at, p_request_id)
  ON CONFLICT (event_id) DO NOTHING;
  IF NOT FOUND THEN
    SELECT * INTO v_existing FROM webhook.notifications n WHERE n.event_id = p_event_id;
    SELECT * INTO v_payment FROM webhook.payments p WHERE p.transaction_id = v_existing.transaction_id;
    RETURN QUERY SELECT CASE WHEN v_existing.body_sha256 = p_body_sha256 THEN 'duplicate' ELSE 'conflict' END,
      v_existing.applied, v_existing.reason, v_payment.status, v_payment.version, 0;
    RETURN;
  END IF;

  INSERT INTO webhook.payments (transaction_id, amount, currency, payer_phone, order_id)
  VALUES (p_transaction_id, p_amount, p_currency, p_payer_phone, p_order_id)
  ON CONFLICT (transaction_id) DO NOTHING;
  -- Notifications of one payment apply one after the other.
  SELECT * INTO v_payment FROM webhook.payments p WHERE p.transaction_id = p_transaction_id FOR UPDATE;
  IF v_payment.payer_phone IS NULL AND p_payer_phone IS NOT NULL OR v_payment.order_id IS NULL AND p_order_id IS NOT NULL THEN
    UPDATE webhook.payments p SET payer_phone = coalesce(p.payer_phone, p_payer_phone), order_id = coalesce(p.order_id, p_order_id)
     WHERE p.transaction_id = p_transaction_id RETURNING * INTO v_payment;
  END IF;

  v_current := v_payment.status;
  IF p_status = 'refunded' AND (v_current IS NULL OR v_current = 'pending') THEN
    v_apply := false;
    v_reason := 'awaiting_succeeded';
  ELSIF v_current IS NOT DISTINCT FROM p_status THEN
    v_apply := false;
    v_reason := 'same_status';
  ELSIF NOT (v_current IS NULL
             OR v_current = 'pending' AND p_status IN ('succeeded', 'failed')
             OR v_current = 'succeeded' AND p_status = 'refunded') THEN
    v_apply := false;
    v_reason := 'not_a_transition';
  ELSIF v_payment.status_occurred_at IS NOT NULL AND p_occurred_at < v_payment.status_occurred_at THEN
    v_apply := false;
    v_reason := 'older_than_current';
  ELSE
    v_apply := true;
  END IF;

  IF v_apply THEN
    v_payment := webhook.apply_v1(v_payment, p_status, p_occurred_at, p_amount, p_currency, p_event_id, p_request_id,
                                  p_fresh_seconds);
    -- A refund that came before its success: applied now, if it did not happen before the success.
    IF p_status = 'succeeded' THEN
      SELECT * INTO v_refund FROM webhook.notifications n
       WHERE n.transaction_id = p_transaction_id AND n.status = 'refunded' AND NOT n.applied
         AND n.reason = 'awaiting_succeeded' AND n.occurred_at >= p_occurred_at
       ORDER BY n.occurred_at DESC, n.received_at DESC LIMIT 1;
      IF FOUND THEN
        v_payment := webhook.apply_v1(v_payment, 'refunded', v_refund.occurred_at, v_refund.amount, v_refund.currency,
                                      v_refund.event_id, v_refund.request_id, p_fresh_seconds);
        UPDATE webhook.notifications n SET applied = true, reason = NULL WHERE n.event_id = v_refund.event_id;
        -- Other refunds that waited with it: the payment is refunded now.
        UPDATE webhook.notifications n SET reason = 'same_status'
         WHERE n.transaction_id = p_transaction_id AND n.status = 'refunded' AND NOT n.applied
           AND n.reason = 'awaiting_succeeded' AND n.occurred_at >= p_occurred_at;
      END IF;
      -- Refunds that happened before the success never apply.
      UPDATE webhook.notifications n SET reason = 'older_than_current'
       WHERE n.transaction_id = p_transaction_id AND n.status = 'refunded' AND NOT n.applied
         AND n.reason = 'awaiting_succeeded' AND n.occurred_at < p_occurred_at;
    ELSIF p_status = 'failed' THEN
      UPDATE webhook.notifications n SET reason = 'not_a_transition'
       WHERE n.transaction_id = p_transaction_id AND n.status = 'refunded' AND NOT n.applied AND n.reason = 'awaiting_succeeded';
    END IF;
  END IF;
  UPDATE webhook.notifications n SET applied = v_apply, reason = v_reason WHERE n.event_id = p_event_id;
  RETURN QUERY SELECT 'stored'::text, v_apply, v_reason, v_payment.status, v_payment.version,
    (SELECT count(*)::integer FROM webhook.deferred_events d WHERE d.transaction_id = p_transaction_id);
END
$$;

-- ------------------------------------------------------------------------------------------------ payer resolution

-- Claims up to p_limit payer phones whose resolution is due, for p_claim_seconds.
CREATE FUNCTION webhook.claim_payers_v1(p_limit integer, p_claim_seconds integer) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
    UPDATE webhook.payers p SET claimed_until = now() + make_interval(secs => p_claim_seconds)
     WHERE p.phone IN (SELECT q.phone FROM webhook.payers q
                        WHERE q.resolved_at IS NULL AND q.next_attempt_at <= now()
                          AND (q.claimed_until IS NULL OR q.claimed_until < now())
                        ORDER BY q.next_attempt_at LIMIT p_limit
                        FOR UPDATE SKIP LOCKED)
    RETURNING p.phone;
END
$$;

-- users answered for p_phone (p_user_id NULL: nobody has it): the payer is resolved, its payments without a user get
-- this one, and its deferred events go to the outbox with their payment's user id, in order. Locks the payments
-- before the payer row, the order ingest takes them in (payment, then payer): no deadlock between the two.
-- Returns the number of events released.
CREATE FUNCTION webhook.payer_resolved_v1(p_phone text, p_user_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_event webhook.deferred_events%ROWTYPE;
  v_user uuid;
  v_outbox uuid;
  v_count integer := 0;
BEGIN
  PERFORM 1 FROM webhook.payments p
   WHERE p.transaction_id IN (SELECT d.transaction_id FROM webhook.deferred_events d WHERE d.payer_phone = p_phone)
      OR (p.payer_phone = p_phone AND p.user_id IS NULL)
   ORDER BY p.transaction_id FOR UPDATE;
  UPDATE webhook.payers p SET user_id = p_user_id, resolved_at = now(), attempts = 0, claimed_until = NULL, last_error = NULL
   WHERE p.phone = p_phone;
  UPDATE webhook.payments p SET user_id = p_user_id, updated_at = now()
   WHERE p.payer_phone = p_phone AND p.user_id IS NULL AND p_user_id IS NOT NULL;
  FOR v_event IN SELECT * FROM webhook.deferred_events d WHERE d.payer_phone = p_phone ORDER BY d.id FOR UPDATE LOOP
    SELECT p.user_id INTO v_user FROM webhook.payments p WHERE p.transaction_id = v_event.transaction_id;
    v_outbox := events.outbox_append_v1(v_event.event_type, v_event.transaction_id, 'webhook', v_event.correlation_id,
      v_event.data || jsonb_build_object('user_id', v_user));
    UPDATE webhook.notifications n SET outbox_event_id = v_outbox WHERE n.event_id = v_event.notification;
    DELETE FROM webhook.deferred_events d WHERE d.id = v_event.id;
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END
$$;

-- Events that waited longer than p_max_age_seconds for their payer (users unreachable for that long) are published
-- without the user id ("payer_unresolved": true) rather than held back further; the payer is still resolved later
-- and its payments get the user id. All waiting events of such a transaction go, in order. Returns their number.
CREATE FUNCTION webhook.release_stale_deferred_v1(p_max_age_seconds integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_event webhook.deferred_events%ROWTYPE;
  v_outbox uuid;
  v_count integer := 0;
BEGIN
  PERFORM 1 FROM webhook.payments p
   WHERE p.transaction_id IN (SELECT d.transaction_id FROM webhook.deferred_events d
                               WHERE d.created_at < now() - make_interval(secs => p_max_age_seconds))
   ORDER BY p.transaction_id FOR UPDATE;
  FOR v_event IN SELECT * FROM webhook.deferred_events d
                  WHERE d.transaction_id IN (SELECT x.transaction_id FROM webhook.deferred_events x
                                              WHERE x.created_at < now() - make_interval(secs => p_max_age_seconds))
                  ORDER BY d.id FOR UPDATE LOOP
    v_outbox := events.outbox_append_v1(v_event.event_type, v_event.transaction_id, 'webhook', v_event.correlation_id,
      v_event.data || jsonb_build_object('user_id', NULL, 'payer_unresolved', true));
    UPDATE webhook.notifications n SET outbox_event_id = v_outbox WHERE n.event_id = v_event.notification;
    DELETE FROM webhook.deferred_events d WHERE d.id = v_event.id;
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END
$$;

-- users could not be asked: try again later, backing off (1 s, 2 s, 4 s ... at most p_max_delay_seconds).
CREATE FUNCTION webhook.payer_failed_v1(p_phone text, p_error text, p_max_delay_seconds integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE webhook.payers p
     SET attempts = p.attempts + 1, claimed_until = NULL, last_error = left(p_error, 500),
         next_attempt_at = now() + make_interval(secs => least(power(2, least(p.attempts, 20)), p_max_delay_seconds))
   WHERE p.phone = p_phone;
END
$$;

-- ------------------------------------------------------------------------------------------------ admin reads

-- A payment with its history (every notification of it, in the order things happened); NULL when unknown.
CREATE FUNCTION webhook.get_payment_v1(p_transaction_id text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT json_build_object(
      'transaction_id', p.transaction_id, 'status', p.status, 'amount', p.amount, 'currency', p.currency,
      'payer_phone', p.payer_phone, 'user_id', p.user_id, 'order_id', p.order_id,
      'status_occurred_at', p.status_occurred_at, 'version', p.version, 'created_at', p.created_at,
      'updated_at', p.updated_at,
      'events_waiting_for_payer', (SELECT count(*) FROM webhook.deferred_events d WHERE d.transaction_id = p.transaction_id),
      'history', COALESCE((
        SELECT json_agg(json_build_object('event_id', n.event_id, 'status', n.status, 'amount', n.amount,
                                          'occurred_at', n.occurred_at, 'received_at', n.received_at,
                                          'applied', n.applied, 'reason', n.reason)
                        ORDER BY n.occurred_at, n.received_at)
          FROM webhook.notifications n WHERE n.transaction_id = p.transaction_id), '[]'::json))
    FROM webhook.payments p WHERE p.transaction_id = p_transaction_id);
END
$$;

-- Received notifications, newest first, filtered by status and received time.
CREATE FUNCTION webhook.list_notifications_v1(p_status text, p_from timestamptz, p_to timestamptz, p_page integer,
                                              p_size integer) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN json_build_object(
    'items', COALESCE((
      SELECT json_agg(json_build_object('event_id', n.event_id, 'transaction_id', n.transaction_id, 'status', n.status,
                                        'amount', n.amount, 'currency', n.currency, 'payer_phone', n.payer_phone,
                                        'order_id', n.order_id, 'occurred_at', n.occurred_at,
                                        'received_at', n.received_at, 'applied', n.applied, 'reason', n.reason,
                                        'secret', n.secret)
                      ORDER BY n.received_at DESC, n.event_id)
        FROM (SELECT * FROM webhook.notifications x
               WHERE (p_status IS NULL OR x.status = p_status)
                 AND (p_from IS NULL OR x.received_at >= p_from) AND (p_to IS NULL OR x.received_at < p_to)
               ORDER BY x.received_at DESC, x.event_id
               LIMIT p_size OFFSET (p_page - 1)::bigint * p_size) n), '[]'::json),
    'total', (SELECT count(*) FROM webhook.notifications x
               WHERE (p_status IS NULL OR x.status = p_status)
                 AND (p_from IS NULL OR x.received_at >= p_from) AND (p_to IS NULL OR x.received_at < p_to)),
    'page', p_page,
    'size', p_size);
END
$$;

-- Publishes the event of an applied notification again through the outbox, under its original envelope id and
-- with its original data (the version it produced): a consumer that applied it skips it (its inbox knows the id),
-- one that missed it applies it. outcome: replayed | waiting (its event still waits for the payer) | not_applied |
-- unknown.
CREATE FUNCTION webhook.replay_v1(p_event_id text, p_correlation_id text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  v_n webhook.notifications%ROWTYPE;
  v_payment webhook.payments%ROWTYPE;
BEGIN
  SELECT * INTO v_n FROM webhook.notifications n WHERE n.event_id = p_event_id;
  IF NOT FOUND THEN
    RETURN 'unknown';
  END IF;
  IF NOT v_n.applied THEN
    RETURN 'not_applied';
  END IF;
  IF v_n.outbox_event_id IS NULL THEN
    RETURN 'waiting';
  END IF;
  SELECT * INTO v_payment FROM webhook.payments p WHERE p.transaction_id = v_n.transaction_id;
  PERFORM events.outbox_republish_v1(v_n.outbox_event_id, webhook.event_type_v1(v_n.status), v_n.transaction_id,
    'webhook', p_correlation_id,
    jsonb_build_object('transaction_id', v_n.transaction_id, 'event_id', v_n.event_id, 'status', v_n.status,
                       'amount', CASE WHEN v_n.status = 'refunded' THEN v_payment.amount ELSE v_n.amount END,
                       'currency', CASE WHEN v_n.status = 'refunded' THEN v_payment.currency ELSE v_n.currency END,
                       'occurred_at', v_n.occurred_at, 'order_id', v_payment.order_id, 'payer_phone', v_payment.payer_phone,
                       'user_id', v_payment.user_id, 'version', v_n.version));
  RETURN 'replayed';
END
$$;
