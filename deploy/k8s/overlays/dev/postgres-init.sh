#!/bin/sh
# dev only: what `make run` provisions (interlude.shared.stack.provision): a database
# interlude_<service> per service, owned by a role of the service's name, closed to PUBLIC;
# audit's processes log in as audit_app (its migrations grant that role what it may do). The
# passwords come from the environment (secretKeyRef to interlude-<service>-db), not this file.
set -eu
for svc in identity engagement community notify audit; do
  var=$(echo "$svc" | tr a-z A-Z)_PASSWORD
  eval pw=\$$var
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --set pw="$pw" --set svc="$svc" <<'SQL'
CREATE ROLE :"svc" LOGIN PASSWORD :'pw';
SELECT 'interlude_' || :'svc' AS db \gset
CREATE DATABASE :"db" OWNER :"svc";
REVOKE CONNECT ON DATABASE :"db" FROM PUBLIC;
SQL
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --set pw="$AUDIT_APP_PASSWORD" <<'SQL'
CREATE ROLE audit_app LOGIN PASSWORD :'pw';
GRANT CONNECT ON DATABASE interlude_audit TO audit_app;
GRANT audit_app TO audit;
SQL
