"""The signature's components checked again at signing (21 CFR Part 11 §11.200(a)(1)).

* The first signature of a continuous session needs the user ID and the password;
  later ones in the same session need the password (a user ID given anyway must be
  right). ``Workspace.signed_in_session`` says which: a lock or a logout resets it.
* The user ID must be the logged-in user's: a person signs only as themselves.
* A wrong component is audited as ``signature_refused`` (which component, never
  what was typed) in its own transaction, and counts towards the account lockout
  like a wrong password at login or at the lock screen
  (:meth:`Site.count_wrong_password`). Reaching the limit locks the account,
  audits ``account_locked`` and ends the session. A right password clears the count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from npc_crf.core.errors import AuthError

if TYPE_CHECKING:
    from npc_crf.services.workspace import Workspace


def authenticate_signer(
    ws: Workspace, user_id: str | None, password: str, what: str, context: dict[str, Any]
) -> None:
    """Check the components of a signature by the logged-in user, or raise AuthError.

    ``what`` names what would be signed (for the message); ``context`` holds the
    audit fields naming it (subject, event, occurrence, form).
    """
    first = not ws.signed_in_session
    given = (user_id or "").strip()
    if first and not given:
        raise AuthError(
            "The first signature of a session needs your user ID and your password.",
            "Later signatures in the same session need the password only.",
        )
    right_password = ws.site.keys.unwrap(ws.username, password) == ws.db_key
    right_user = not given or given == ws.username
    if right_password and right_user:
        ws.site.clear_wrong_passwords(ws.username)
        return
    wrong = [n for n, ok in (("user ID", right_user), ("password", right_password)) if not ok]
    locked_until = ws.site.count_wrong_password(ws.username, save=True)
    with ws.tx() as tx:  # its own transaction: the refusal stays in the trail
        tx.audit.append(
            "signature_refused",
            reason=f"wrong {' and '.join(wrong)}",
            source=ws.channel,
            **context,
        )
        if locked_until is not None:
            detail = ws.site.policy.locked_detail(locked_until)
            tx.audit.append("account_locked", reason=detail, source=ws.channel)
    if locked_until is not None:
        ws.logout()
        raise AuthError(
            f"Wrong user ID or password: {what} was not signed. The account "
            f"'{ws.username}' is now locked for {ws.site.policy.lockout_minutes} minutes "
            "and the session has ended.",
            "Ask the site administrator to unlock the account, or try again later.",
        )
    raise AuthError(f"Wrong user ID or password: {what} was not signed.")
