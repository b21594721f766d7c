-- The coach dashboard a page at a time, most in need of attention first, at the cost of the
-- page rather than of the caseload.
--
-- The attention score (domain/attention.py) is a step function of time: a row's score only
-- changes when one of its deadlines passes. The projection keeps those deadlines on the row,
-- so the read computes every score from the row's own columns (no subquery per row), orders,
-- and only then looks up the page's extras (next session, community, insights, names):
--   reply_due_at       oldest_waiting_at + reply_window_hours: a reply is overdue after it
--   quiet_from         last_checkin_at + 7 days: "no check-in for a week" from then on
--   last_scheduled_at  the latest session still scheduled: none ahead once it has begun
--   since              when the contract first became active: the order among equal scores
--                      (names are sealed; ordering by them would open every name)
ALTER TABLE dashboard ADD COLUMN reply_due_at timestamptz;
ALTER TABLE dashboard ADD COLUMN quiet_from timestamptz;
ALTER TABLE dashboard ADD COLUMN last_scheduled_at timestamptz;
ALTER TABLE dashboard ADD COLUMN since timestamptz;

UPDATE dashboard SET reply_due_at = oldest_waiting_at + make_interval(hours => reply_window_hours),
    quiet_from = last_checkin_at + interval '168 hours';  -- hours: a day may last 23 or 25
UPDATE dashboard d SET last_scheduled_at = (
    SELECT max(s.starts_at) FROM dashboard_sessions s WHERE s.tenant_id = d.tenant_id
    AND s.contract_id = d.contract_id AND s.status = 'scheduled');
UPDATE dashboard d SET since = coalesce(
    (SELECT coalesce(c.activated_at, c.proposed_at) FROM contracts c
     WHERE c.tenant_id = d.tenant_id AND c.contract_id = d.contract_id), '2000-01-01Z');
ALTER TABLE dashboard ALTER COLUMN since SET NOT NULL;

-- The coach's active rows in the order ties are broken; the score itself depends on the time
-- and the policy of the read, so no index can hold it. No column the projection updates is in
-- the index: a check-in's update of the row stays a heap-only one.
DROP INDEX IF EXISTS dashboard_coach;
CREATE INDEX dashboard_coach_active ON dashboard (tenant_id, coach_id, since, contract_id)
    WHERE status = 'active';
CREATE INDEX dashboard_sessions_next ON dashboard_sessions (tenant_id, contract_id, starts_at)
    WHERE status = 'scheduled';

-- A page's coachees' latest insights: a few rows per coachee, not every pin of the coach.
CREATE INDEX dashboard_insights_author ON dashboard_insights (tenant_id, coach_id, user_id,
                                                               pinned_at);
