"""Demo data for ``make run``: one organisation with an org_admin, two coaches, five coachees,
a sponsor and a compliance officer, all active, each with a password of their own."""

from __future__ import annotations

import secrets

from interlude.identity.app import organisations, people
from interlude.identity.settings import IdentitySettings
from interlude.identity.wiring import MIGRATIONS, build_identity
from interlude.shared.config import PlatformSettings
from interlude.shared.db import migrate
from interlude.shared.events.envelope import Actor
from interlude.shared.runtime import open_platform

DOMAIN = "northwind.example"
PEOPLE = [
    ("coach", "Claire Coach", "claire"),
    ("coach", "Marcus Mentor", "marcus"),
    ("coachee", "Amira Haddad", "amira"),
    ("coachee", "Ben Okafor", "ben"),
    ("coachee", "Chloe Martin", "chloe"),
    ("coachee", "Dev Patel", "dev"),
    ("coachee", "Eva Lindqvist", "eva"),
    ("sponsor", "Sam Sponsor", "sam"),
    ("compliance_officer", "Carla Compliance", "carla"),
]


def password() -> str:
    return secrets.token_urlsafe(9)


async def seed(platform_settings: PlatformSettings) -> list[tuple[str, str, str]]:
    settings = IdentitySettings(**platform_settings.model_dump(exclude={"service_name"}))
    platform = await open_platform(settings)
    try:
        async with platform.pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        deps = await build_identity(platform, settings)
        admin_password = password()
        admin_email = f"olivia@{DOMAIN}"
        org = await organisations.register(
            deps, Actor.system("seed"), name="Northwind Learning", allowed_domains=(DOMAIN,),
            admin_email=admin_email, admin_name="Olivia Admin", admin_password=admin_password)
        logins = [("org_admin", admin_email, admin_password)]
        ctx = deps.context(org.tenant_id, Actor(org.admin_user_id, ("org_admin",)),
                           policy_version=1)
        for role, name, login in PEOPLE:
            email, secret = f"{login}@{DOMAIN}", password()
            await people.provision(deps, ctx, email=email, display_name=name, roles=(role,),
                                   source="seed", password=secret)
            logins.append((role, email, secret))
        return logins
    finally:
        await platform.close()
