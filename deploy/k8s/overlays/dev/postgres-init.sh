#!/bin/sh
# dev only: one database per service, owned by a role of the service's name; audit's processes
# log in as audit_app (its migrations grant that role what it may do). The passwords come from
# the environment (secretKeyRef to interlude-<service>-db), never from this file.
set -eu
for svc in identity engagement community notify audit; do
  var=$(echo "$svc" | tr a-z A-Z)_PASSWORD
  eval pw=\$$var
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --set pw="$pw" --set svc="$svc" <<'SQL'
CREATE ROLE :"svc" LOGIN PASSWORD :'pw';
CREATE DATABASE :"svc" OWNER :"svc";
SQL
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --set pw="$AUDIT_APP_PASSWORD" <<'SQL'
CREATE ROLE audit_app LOGIN PASSWORD :'pw';
SQL
