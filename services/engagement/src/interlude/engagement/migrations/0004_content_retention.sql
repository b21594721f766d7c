-- A contract's coaching content is sealed under a key of its own (the coachee's, for that
-- contract) and erased once the contract has ended longer ago than the retention its terms
-- agreed (engagement.ContractContentExpired): the rows below go, the contract keeps when.
ALTER TABLE contracts ADD COLUMN content_expired_at timestamptz;
CREATE INDEX contracts_retention ON contracts (ended_at) WHERE status = 'ended'
    AND content_expired_at IS NULL;
