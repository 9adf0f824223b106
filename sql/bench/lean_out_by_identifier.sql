-- pgbench script (by hand, sql/bench/lean_variants.sql): bench.lean_out over the same
-- identifiers as by_identifier.sql, the same way (-M prepared, read port, users_svc).
\set u random(0, :users - 1)
\set k random(0, 2)
SELECT * FROM bench.lean_out(CASE :k::int WHEN 0 THEN '+1555' || lpad(:u::text, 7, '0')
                                                   WHEN 1 THEN 'lt' || :u || '@loadtest.local'
                                                   ELSE 'lt_' || :u END);
