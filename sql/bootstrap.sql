-- sql/bootstrap.sql: cluster-level objects of the platform (roles, databases, privileges).
--
-- Run as the PostgreSQL superuser against the HAProxy WRITE port, with psql (not in one transaction:
-- CREATE DATABASE cannot run inside one). Idempotent: safe to run on every start; passwords are
-- (re)set on each run.
--
--   psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -X -v ON_ERROR_STOP=1 \
--        -v auth_password=... -v users_password=... -v webhook_password=... -f sql/bootstrap.sql
--
-- Without -v, the passwords are read from the environment variables AUTH_DB_PASSWORD,
-- USERS_DB_PASSWORD and WEBHOOK_DB_PASSWORD (psql \getenv), which keeps them out of `ps` output;
-- bin/stack and the compose db-init container use that route.
--
-- Result: login roles auth_svc / users_svc / webhook_svc; databases auth / users / webhook, each owned by
-- its role; nobody else (PUBLIC) may connect to a service database, so e.g. users_svc connecting to
-- `auth` fails with "permission denied for database auth". Tables, functions etc. are created later
-- by each service's Flyway migrations (sql/<service>/) running as the owning role.

\set ON_ERROR_STOP on
\set QUIET on

\if :{?auth_password}
\else
  \getenv auth_password AUTH_DB_PASSWORD
\endif
\if :{?users_password}
\else
  \getenv users_password USERS_DB_PASSWORD
\endif
\if :{?webhook_password}
\else
  \getenv webhook_password WEBHOOK_DB_PASSWORD
\endif

\if :{?auth_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: auth_password not given (-v auth_password=... or AUTH_DB_PASSWORD)'; END $$;
\endif
\if :{?users_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: users_password not given (-v users_password=... or USERS_DB_PASSWORD)'; END $$;
\endif
\if :{?webhook_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: webhook_password not given (-v webhook_password=... or WEBHOOK_DB_PASSWORD)'; END $$;
\endif

-- Must be the primary (the write port routes there). Fails clearly otherwise.
SELECT pg_is_in_recovery() AS in_recovery \gset
\if :in_recovery
  DO $$ BEGIN RAISE EXCEPTION 'bootstrap.sql: connected to a replica; run it against the write port'; END $$;
\endif

-- ---------------------------------------------------------------------------------------------
-- Roles: plain login roles, no special attributes. Password set/updated on each run.
-- ---------------------------------------------------------------------------------------------
SELECT format('CREATE ROLE %I LOGIN', r)
  FROM unnest(ARRAY['auth_svc', 'users_svc', 'webhook_svc']) AS r
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r)
\gexec

ALTER ROLE auth_svc    WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD :'auth_password';
ALTER ROLE users_svc   WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD :'users_password';
ALTER ROLE webhook_svc WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD :'webhook_password';

-- ---------------------------------------------------------------------------------------------
-- Databases, one per service, owned by its role (\gexec: CREATE DATABASE outside a transaction).
-- ---------------------------------------------------------------------------------------------
SELECT format('CREATE DATABASE %I OWNER %I ENCODING %L TEMPLATE template0', d, d || '_svc', 'UTF8')
  FROM unnest(ARRAY['auth', 'users', 'webhook']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_database WHERE datname = d)
\gexec

ALTER DATABASE auth    OWNER TO auth_svc;
ALTER DATABASE users   OWNER TO users_svc;
ALTER DATABASE webhook OWNER TO webhook_svc;

-- Isolation: PUBLIC gets CONNECT and TEMP on new databases by default; take them away so that only the
-- owning role (and superusers) can connect.
REVOKE ALL ON DATABASE auth    FROM PUBLIC;
REVOKE ALL ON DATABASE users   FROM PUBLIC;
REVOKE ALL ON DATABASE webhook FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE auth    TO auth_svc;
GRANT CONNECT, TEMPORARY ON DATABASE users   TO users_svc;
GRANT CONNECT, TEMPORARY ON DATABASE webhook TO webhook_svc;

-- ---------------------------------------------------------------------------------------------
-- Inside each database: schema public belongs to the service role and PUBLIC has no rights on it.
-- (\connect keeps host, port and user; the password comes from PGPASSWORD / .pgpass.)
-- ---------------------------------------------------------------------------------------------
\connect auth
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO auth_svc;

\connect users
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO users_svc;

\connect webhook
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO webhook_svc;
