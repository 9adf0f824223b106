-- Roles in access tokens come from group names, and "service" is the role of service clients (SPEC section 3):
-- a group of that name would hand it to ordinary users. Neither creation nor rename may produce it.
ALTER TABLE accounts.user_groups ADD CONSTRAINT user_groups_name_not_reserved CHECK (name <> 'service');
