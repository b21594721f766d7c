-- every event the partitioned test projection applied, in the order it applied them
CREATE TABLE seen (
    applied bigserial PRIMARY KEY,
    tenant_id text NOT NULL,
    n bigint NOT NULL,
    pid integer NOT NULL
);
