-- Cache exactness beyond the freshness window (issue 13): every read that may fill the cache or answer from the
-- replica also says how far the node it ran on had replayed the primary's WAL. A write leaves its commit's WAL
-- position in Redis (user_fresh:{id}); replica data is used only when the replica had replayed past it, else the
-- primary is read (docs/users.md, Cache). The older versions stay callable and unchanged.
--
-- The position must be read BEFORE the snapshot the data is read in: every commit that ends at or before it has been
-- applied then, so a snapshot taken afterwards sees it. (Read after the snapshot, replay may have moved past a
-- commit the snapshot does not see.) A STABLE function runs in its caller's snapshot, taken before its body starts,
-- so these wrappers are VOLATILE PL/pgSQL: in READ COMMITTED each statement of a VOLATILE function takes a new
-- snapshot, so the read that follows the position runs in a snapshot taken after it. PL/pgSQL keeps each statement's
-- plan per connection (V7).

-- How far this node had replayed; NULL on a primary, whose data is current (checked with pg_is_in_recovery():
-- pg_last_wal_replay_lsn() stays at its last value on a promoted replica instead of turning NULL). In a transaction
-- that is not READ COMMITTED the statements below would share a snapshot taken before this call: '0/0', so that
-- replica data counts as behind every write and the caller reads the primary.
CREATE FUNCTION accounts.replayed_lsn_v1() RETURNS pg_lsn
LANGUAGE sql VOLATILE AS $$
  SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
              WHEN current_setting('transaction_isolation') <> 'read committed' THEN '0/0'::pg_lsn
              ELSE pg_last_wal_replay_lsn() END
$$;

-- The by-identifier lookup of v2 (V9) and the replay position it was read at.
CREATE FUNCTION accounts.get_user_by_identifier_v3(p_identifier text, OUT replayed_lsn pg_lsn, OUT user_id uuid,
                                                   OUT detail json, OUT unknown_key text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT r.user_id, r.detail, r.unknown_key INTO user_id, detail, unknown_key
  FROM accounts.get_user_by_identifier_v2(p_identifier) r;
END
$$;

-- The reads below: the v1 body (one statement, so one snapshot) and the replay position read before it.
CREATE FUNCTION accounts.get_user_v2(p_id uuid, OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.get_user_v1(p_id) INTO body;
END
$$;

CREATE FUNCTION accounts.get_user_by_identifier_including_inactive_v2(p_identifier text, OUT replayed_lsn pg_lsn,
                                                                      OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.get_user_by_identifier_including_inactive_v1(p_identifier) INTO body;
END
$$;

CREATE FUNCTION accounts.get_contact_v2(p_id uuid, OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.get_contact_v1(p_id) INTO body;
END
$$;

CREATE FUNCTION accounts.list_user_contacts_v2(p_user_id uuid, OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.list_user_contacts_v1(p_user_id) INTO body;
END
$$;

CREATE FUNCTION accounts.get_membership_v2(p_user_id uuid, p_group_id uuid, OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.get_membership_v1(p_user_id, p_group_id) INTO body;
END
$$;

CREATE FUNCTION accounts.list_memberships_v2(p_user_id uuid, OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.list_memberships_v1(p_user_id) INTO body;
END
$$;

-- The dictionary lists are cached for 3 h under the same rule (their writes leave fresh:{key}).
CREATE FUNCTION accounts.list_user_groups_v2(OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.list_user_groups_v1() INTO body;
END
$$;

CREATE FUNCTION accounts.list_contact_types_v2(OUT replayed_lsn pg_lsn, OUT body json)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  replayed_lsn := accounts.replayed_lsn_v1();
  SELECT accounts.list_contact_types_v1() INTO body;
END
$$;
