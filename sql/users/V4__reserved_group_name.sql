-- Roles in access tokens come from group names, and "service" is the role of service clients (SPEC section 3):
-- a group of that name would hand it to ordinary users. Neither creation nor rename may produce it.
-- A group that already has the name is renamed first (its members keep the group, not the role), so this migration
-- never blocks a start-up.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM accounts.user_groups WHERE name = 'service') THEN
    UPDATE accounts.user_groups SET name = 'service_group_' || to_char(now(), 'YYYYMMDDHH24MISS') WHERE name = 'service';
    RAISE WARNING 'user group "service" renamed: the name is reserved for the role of service clients';
  END IF;
END
$$;

ALTER TABLE accounts.user_groups ADD CONSTRAINT user_groups_name_not_reserved CHECK (name <> 'service');
