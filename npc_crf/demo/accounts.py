"""The demo accounts: one per role, with fixed and public passwords.

The passwords below are printed by ``npc-crf demo`` and written in this file:
they protect nothing. A demo site holds only invented data and must never be
used for real subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

from npc_crf.auth.roles import Role
from npc_crf.services.site import Site
from npc_crf.services.workspace import Workspace


@dataclass(frozen=True)
class DemoUser:
    """A demo account and its (public) password."""

    username: str
    full_name: str
    role: Role
    password: str


ADMIN = DemoUser("admin", "Demo Site Administrator", Role.ADMIN, "demo-admin-pass")
NURSE = DemoUser("nurse", "Demo Research Nurse", Role.CRC, "demo-nurse-pass")
DOCTOR = DemoUser("doctor", "Demo Investigator", Role.INVESTIGATOR, "demo-doctor-pass")
MONITOR = DemoUser("monitor", "Demo Monitor", Role.MONITOR, "demo-monitor-pass")

#: every demo account, the administrator first
DEMO_USERS: tuple[DemoUser, ...] = (ADMIN, NURSE, DOCTOR, MONITOR)


def initial_password(user: DemoUser) -> str:
    """The password the administrator gives at creation (changed at first login)."""
    return f"{user.password}-initial"


def create_accounts(site: Site, admin: Workspace) -> None:
    """Add every demo account except the administrator, then let each change its password.

    New accounts must change the initial password at first login; doing so here
    leaves every account ready to use with the password in :data:`DEMO_USERS`.
    """
    for user in DEMO_USERS:
        if user.role is Role.ADMIN:
            continue
        admin.users.add(user.username, user.full_name, user.role, initial_password(user))
        ws = site.login(user.username, initial_password(user), channel="demo")
        try:
            ws.users.change_password(initial_password(user), user.password)
        finally:
            ws.logout()
