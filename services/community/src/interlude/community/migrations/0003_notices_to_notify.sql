-- What members are told is notify's now: one inbox for every service's notifications (notify's
-- ADR 0009). notify's worker builds its inbox from community's events by itself; the notices
-- community kept go, with what they held (ids, and a reveal's reason sealed).
DROP TABLE IF EXISTS notices;
