-- pgbench script (bin/bench): the limit of a users cache miss, i.e. the stored function every miss of
-- GET /accounts/users/by-identifier calls, over the same identifiers the harness' by-identifier-uncached
-- scenario asks for (seeded user u by phone, e-mail or second_login), called as the service calls it (v5: one text
-- value, the replica's replay position, id and detail). Run with -M prepared against the HAProxy read port as
-- users_svc, like the service's misses:
-- pgbench -D users=<seeded users> ...
\set u random(0, :users - 1)
\set k random(0, 2)
SELECT accounts.get_user_by_identifier_v5(CASE :k::int WHEN 0 THEN '+1555' || lpad(:u::text, 7, '0')
                                               WHEN 1 THEN 'lt' || :u || '@loadtest.local'
                                               ELSE 'lt_' || :u END);
