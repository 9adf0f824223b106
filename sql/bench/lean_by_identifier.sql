-- pgbench script (bin/bench): the lean reference function of sql/bench/lean_reference.sql over the same
-- identifiers as by_identifier.sql, the same way (-M prepared, read port, users_svc).
\set u random(0, :users - 1)
\set k random(0, 2)
SELECT bench.lean_user_by_identifier(CASE :k::int WHEN 0 THEN '+1555' || lpad(:u::text, 7, '0')
                                                   WHEN 1 THEN 'lt' || :u || '@loadtest.local'
                                                   ELSE 'lt_' || :u END);
