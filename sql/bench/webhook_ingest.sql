-- pgbench script (bin/bench): the limit of POST /webhooks/2can, i.e. its one stored-function call with a new
-- notification (unique event and transaction ids, no payer phone, like the harness' webhook-ingest scenario).
-- Run with -M prepared against the HAProxy write port as webhook_svc. Each call commits a notification, a payment
-- and an outbox event, exactly as the service's ingest does.
\set amount random(100, 100000)
SELECT * FROM webhook.ingest_v1('pgb-evt-' || gen_random_uuid(),
  convert_to('{"event_id":"pgbench","transaction_id":"pgbench","status":"succeeded","amount":1000,"currency":"RUB","order_id":"pgbench","occurred_at":"2026-01-01T00:00:00Z"}', 'UTF8'),
  sha256(convert_to('pgbench', 'UTF8')), 'current', 'pgb-tx-' || gen_random_uuid(), 'succeeded', :amount, 'RUB', NULL,
  'pgb-order', clock_timestamp(), 'pgbench', 600);
