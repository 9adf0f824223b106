-- The users service's own schema; the database and its owning role come from sql/bootstrap.sql.
CREATE SCHEMA IF NOT EXISTS accounts;
