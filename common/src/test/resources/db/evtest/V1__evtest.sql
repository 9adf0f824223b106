-- Business tables of the events tests' service: orders (the business row an event is committed with) and the
-- effects a consumer applies (how many times each event changed state).
CREATE SCHEMA IF NOT EXISTS evtest;

CREATE TABLE evtest.orders (
  id         uuid PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE evtest.effects (
  event_id uuid PRIMARY KEY,
  applied  int NOT NULL
);

CREATE FUNCTION evtest.order_create_v1(p_id uuid)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO evtest.orders (id) VALUES (p_id);
$$;

-- Not idempotent on purpose: a second call for the same event shows up as applied = 2.
CREATE FUNCTION evtest.effect_apply_v1(p_event_id uuid)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO evtest.effects (event_id, applied) VALUES (p_event_id, 1)
  ON CONFLICT (event_id) DO UPDATE SET applied = evtest.effects.applied + 1;
$$;
