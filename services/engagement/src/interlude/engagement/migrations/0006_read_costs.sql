-- Reads whose cost followed the history behind them rather than their answer.
--
-- The dashboard's insights pinned per coachee: counted over the pins alone, not over every post
-- and comment the coachee ever wrote.
CREATE INDEX dashboard_community_pins ON dashboard_community (tenant_id, user_id)
    WHERE kind IN ('insight_pinned', 'insight_unpinned');

-- Sponsor figures kept per programme as the contracts' rows are written, so the sponsor's read
-- costs one row per programme however many contracts it holds. Only contracts whose sponsor
-- view is not 'none' count, as the figures always did; people are counted once however many
-- contracts they hold in the programme (sponsor_programme_people keeps how many each holds).
CREATE TABLE sponsor_programme_people (
    tenant_id text NOT NULL,
    sponsor_id text NOT NULL,
    programme text NOT NULL,
    coachee_id text NOT NULL,
    contracts int NOT NULL,
    goal_contracts int NOT NULL,  -- of them, those whose sponsor view shows goals
    PRIMARY KEY (tenant_id, sponsor_id, programme, coachee_id)
);
CREATE TABLE sponsor_programmes (
    tenant_id text NOT NULL,
    sponsor_id text NOT NULL,
    programme text NOT NULL,
    people int NOT NULL,
    contracts_active int NOT NULL,
    sessions_planned bigint NOT NULL,
    sessions_held bigint NOT NULL,
    sessions_missed bigint NOT NULL,
    goal_people int NOT NULL,
    goals_set bigint NOT NULL,
    goals_achieved bigint NOT NULL,
    PRIMARY KEY (tenant_id, sponsor_id, programme)
);

-- add (d = 1) or take off (d = -1) one contract's row
CREATE FUNCTION sponsor_count(r sponsor_contracts, d int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    goals int := CASE WHEN r.sponsor_view = 'goals' THEN d ELSE 0 END;
    held int;
    held_goals int;
BEGIN
    IF r.sponsor_view = 'none' THEN
        RETURN;
    END IF;
    INSERT INTO sponsor_programme_people AS p VALUES (r.tenant_id, r.sponsor_id, r.programme,
                                                      r.coachee_id, d, goals)
        ON CONFLICT (tenant_id, sponsor_id, programme, coachee_id) DO UPDATE
        SET contracts = p.contracts + d, goal_contracts = p.goal_contracts + goals
        RETURNING contracts, goal_contracts INTO held, held_goals;
    INSERT INTO sponsor_programmes AS s VALUES (
        r.tenant_id, r.sponsor_id, r.programme,
        CASE WHEN d = 1 AND held = 1 THEN 1 WHEN d = -1 AND held = 0 THEN -1 ELSE 0 END,
        CASE WHEN r.status = 'active' THEN d ELSE 0 END,
        d * r.sessions_planned, d * r.sessions_held, d * r.sessions_missed,
        CASE WHEN goals = 1 AND held_goals = 1 THEN 1 WHEN goals = -1 AND held_goals = 0 THEN -1
             ELSE 0 END,
        goals * r.goals_set, goals * r.goals_achieved)
        ON CONFLICT (tenant_id, sponsor_id, programme) DO UPDATE SET
        people = s.people + excluded.people,
        contracts_active = s.contracts_active + excluded.contracts_active,
        sessions_planned = s.sessions_planned + excluded.sessions_planned,
        sessions_held = s.sessions_held + excluded.sessions_held,
        sessions_missed = s.sessions_missed + excluded.sessions_missed,
        goal_people = s.goal_people + excluded.goal_people,
        goals_set = s.goals_set + excluded.goals_set,
        goals_achieved = s.goals_achieved + excluded.goals_achieved;
END $$;

CREATE FUNCTION sponsor_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM sponsor_count(OLD, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM sponsor_count(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

-- the contracts kept so far, counted once; from here on, as each row is written
DO $$
DECLARE
    r sponsor_contracts;
BEGIN
    FOR r IN SELECT * FROM sponsor_contracts LOOP
        PERFORM sponsor_count(r, 1);
    END LOOP;
END $$;
CREATE TRIGGER sponsor_contracts_counted AFTER INSERT OR UPDATE OR DELETE ON sponsor_contracts
    FOR EACH ROW EXECUTE FUNCTION sponsor_counted();
