"""The directory: people, groups and organisations as org_admins and SCIM clients list them.
A person's name, address and external id stay sealed under their key, as in the events, beside
the blind indexes of the address and the external id
(:mod:`~interlude.identity.projections.people_data`): a forgotten person's row goes, and what
it leaves in dead tuples, the WAL and backups cannot be read."""

from __future__ import annotations

import asyncpg

from interlude.identity.domain import events as ev
from interlude.identity.projections.people_data import Indexes, sealed_column
from interlude.shared.events.codec import EventCodec
from interlude.shared.events.registry import Event
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept
from interlude.shared.sealing import KeyRing, Sealer, Secret

NAME = "identity-directory"


class Directory(Projection):
    name = NAME
    tables = ("directory_users", "directory_groups", "directory_organisations",
              "directory_counts")  # kept by a trigger on directory_users (migration 0004)
    reads = (ev.registry,)
    handles = ("identity.OrganisationRegistered", "identity.SecurityPolicyChanged",
               "identity.SingleSignOnConfigured", "identity.UserInvited",
               "identity.UserProvisioned", "identity.UserActivated", "identity.UserDeactivated",
               "identity.UserReactivated", "identity.RoleGranted", "identity.RoleRevoked",
               "identity.MfaEnabled", "identity.ProfileChanged", "identity.SubjectForgotten",
               "identity.GroupCreated", "identity.GroupChanged", "identity.GroupDeleted")

    def __init__(self, codec: EventCodec, keyring: KeyRing, indexes: Indexes) -> None:
        super().__init__()
        self._codec = codec
        self._keyring = keyring
        self._sealer = Sealer(keyring)
        self._indexes = indexes

    async def _open(self, event: RecordedEvent) -> Event:
        """The event with its sealed fields opened (``event.event`` keeps them sealed)."""
        return await self._codec.decode(event.envelope)

    def _indexed(self, kind: str, event: RecordedEvent, value: Secret | None) -> str | None:
        """The blind index of an address or an external id (None when absent, or erased on a
        replay)."""
        if value is None or value.is_erased:
            return None
        return self._indexes(kind, event.tenant_id, value.reveal())

    async def _external_id(self, event: RecordedEvent,
                           opened: ev.UserProvisioned | ev.ProfileChanged
                           ) -> tuple[str | None, str | None]:
        """The external id sealed, and its blind index."""
        return (await sealed_column(self._sealer, event, "external_id", opened.external_id),
                self._indexed("external_id", event, opened.external_id))

    async def on_organisation_registered(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> None:
        await conn.execute(
            "INSERT INTO directory_organisations (tenant_id, name, policy_version, created_at)"
            " VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING", event.tenant_id,
            event.of(ev.OrganisationRegistered).name, event.envelope.occurred_at)

    async def on_security_policy_changed(self, conn: asyncpg.Connection,
                                         event: RecordedEvent) -> None:
        await conn.execute("UPDATE directory_organisations SET policy_version = $2"
                           " WHERE tenant_id = $1", event.tenant_id,
                           event.of(ev.SecurityPolicyChanged).version)

    async def on_single_sign_on_configured(self, conn: asyncpg.Connection,
                                           event: RecordedEvent) -> None:
        await conn.execute("UPDATE directory_organisations SET sso_issuer = $2"
                           " WHERE tenant_id = $1", event.tenant_id,
                           event.of(ev.SingleSignOnConfigured).issuer)

    async def _insert_user(self, conn: asyncpg.Connection, event: RecordedEvent,
                           status: str) -> None:
        sealed, opened = event.event, await self._open(event)
        assert isinstance(sealed, ev.UserInvited | ev.UserProvisioned)
        assert isinstance(opened, ev.UserInvited | ev.UserProvisioned)
        external: tuple[str | None, str | None]
        source, external = "invitation", (None, None)  # invited: no directory sent an id
        if isinstance(opened, ev.UserProvisioned):
            source, external = opened.source, await self._external_id(event, opened)
        await conn.execute(
            "INSERT INTO directory_users (tenant_id, user_id, email, email_index, display_name,"
            " roles, status, source, external_id, external_id_index, created_at, updated_at,"
            " version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)"
            " ON CONFLICT DO NOTHING",
            event.tenant_id, opened.user_id, kept(sealed.email),
            self._indexed("email", event, opened.email), kept(sealed.display_name),
            list(opened.roles), status, source, *external,
            event.envelope.occurred_at, event.position)

    async def on_user_invited(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert_user(conn, event, "invited")

    async def on_user_provisioned(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._insert_user(conn, event, "active")

    async def _update(self, conn: asyncpg.Connection, event: RecordedEvent, sql: str,
                      *args: object) -> None:
        user_id = getattr(event.event, "user_id", None)  # every user event names its user
        if not isinstance(user_id, str):
            raise TypeError(f"{event!r} names no user")
        await conn.execute(
            f"UPDATE directory_users SET {sql}, updated_at = $3, version = $4"
            " WHERE tenant_id = $1 AND user_id = $2", event.tenant_id,
            user_id, event.envelope.occurred_at, event.position, *args)

    async def on_user_activated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "status = 'active'")

    async def on_user_deactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "status = 'deactivated'")

    async def on_user_reactivated(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "status = 'active'")

    async def on_role_granted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "roles = (SELECT array_agg(DISTINCT r ORDER BY r)"
                           " FROM unnest(array_append(roles, $5)) r)",
                           event.of(ev.RoleGranted).role)

    async def on_role_revoked(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "roles = array_remove(roles, $5)",
                           event.of(ev.RoleRevoked).role)

    async def on_mfa_enabled(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await self._update(conn, event, "mfa = true")

    async def on_profile_changed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        sealed, opened = event.of(ev.ProfileChanged), await self._open(event)
        assert isinstance(opened, ev.ProfileChanged)
        await self._update(
            conn, event, "email = coalesce($5, email), email_index = coalesce($6, email_index),"
            " display_name = coalesce($7, display_name),"
            " external_id = coalesce($8, external_id),"
            " external_id_index = coalesce($9, external_id_index)",
            kept(sealed.email), self._indexed("email", event, opened.email),
            kept(sealed.display_name), *await self._external_id(event, opened))

    async def on_subject_forgotten(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        subject = event.of(ev.SubjectForgotten).subject_id
        self._keyring.evict(event.tenant_id, subject)  # identity's API shredded it already
        await conn.execute("DELETE FROM directory_users WHERE tenant_id = $1 AND user_id = $2",
                           event.tenant_id, subject)
        await conn.execute("UPDATE directory_groups SET members = array_remove(members, $2)"
                           " WHERE tenant_id = $1", event.tenant_id, subject)

    async def on_group_created(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.GroupCreated)
        await conn.execute(
            "INSERT INTO directory_groups (tenant_id, group_id, display_name, external_id,"
            " members, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $6, $7)"
            " ON CONFLICT DO NOTHING", event.tenant_id, event.aggregate_id, p.display_name,
            p.external_id, list(p.members), event.envelope.occurred_at, event.position)

    async def on_group_changed(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        p = event.of(ev.GroupChanged)
        await conn.execute(
            "UPDATE directory_groups SET display_name = $3, external_id = $4, members = $5,"
            " updated_at = $6, version = $7 WHERE tenant_id = $1 AND group_id = $2",
            event.tenant_id, event.aggregate_id, p.display_name, p.external_id,
            list(p.members), event.envelope.occurred_at, event.position)

    async def on_group_deleted(self, conn: asyncpg.Connection, event: RecordedEvent) -> None:
        await conn.execute("DELETE FROM directory_groups WHERE tenant_id = $1 AND group_id = $2",
                           event.tenant_id, event.aggregate_id)
