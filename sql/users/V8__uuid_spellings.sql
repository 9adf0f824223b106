-- Every spelling PostgreSQL's uuid input accepts is a UUID identifier, not only the canonical 8-4-4-4-12 one:
-- upper or lower case, braces around, hyphens omitted or after any group of four digits
-- (a0eebc999c0b4ef8bb6d6bb9bd380a11, {A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}, a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11).
-- The original design's identifier::uuid took them all; before this they were looked up as a second_login only.
-- The lookups keep their rule: a UUID-shaped identifier that is no (active) user's id is then tried as a
-- second_login, spelled as given, so every identifier found before is still found. Contact validation only asks
-- whether a value is phone- or e-mail-shaped, which this does not change.
CREATE OR REPLACE FUNCTION accounts.identifier_kind_v1(p_identifier text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN p_identifier ~ '^([0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){7}|\{[0-9A-Fa-f]{4}(-?[0-9A-Fa-f]{4}){7}\})$' THEN 'uuid'
    WHEN p_identifier ~ '^\+[1-9][0-9]{1,14}$' THEN 'phone'
    WHEN p_identifier ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' THEN 'email'
    ELSE 'second_login'
  END
$$;
