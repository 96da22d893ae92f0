"""Missing follow-up of an ongoing adverse event.

An AE is *ongoing* when its "ongoing" item says so, or — without one — when its
outcome is not final (recovering, not recovered, unknown). Its last update is the
later of the form's last save and, when the form has one, the date it was last
assessed. The rule (``docs/safety.md`` §5):

* while the subject's reporting window is open: follow-up is missing once the AE has
  not been updated for more than ``ae_followup_days``; due on the last update plus
  ``ae_followup_days``;
* once the window has certainly closed: the AE needs one update on or after the
  window's last day (its state at the end of collection); until then follow-up is
  missing, due on that last day. After it, nothing more is asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from npc_crf.oncology.safety.records import AdverseEvent
from npc_crf.oncology.safety.window import AeWindow


class FollowUpReason(StrEnum):
    """Why follow-up of an ongoing AE is missing."""

    STALE = "stale"  # not updated for ae_followup_days while the window is open
    WINDOW_CLOSED = "window_closed"  # the window closed and it was not updated since


@dataclass(frozen=True)
class FollowUpDue:
    """An ongoing AE whose follow-up is missing."""

    reason: FollowUpReason
    due: dt.date
    last_update: dt.date | None


def last_update(ae: AdverseEvent, saved: dt.date | None) -> dt.date | None:
    """The later of the form's last save and the AE's last assessment date."""
    known = [d for d in (saved, ae.last_assessed) if d is not None]
    return max(known) if known else None


def followup_missing(
    ae: AdverseEvent,
    window: AeWindow,
    saved: dt.date | None,
    followup_days: int,
    today: dt.date,
) -> FollowUpDue | None:
    """The missing follow-up of ``ae`` on ``today``, or None (see the module's rule).

    ``saved`` is the day the AE's form was last saved (None: not known).
    """
    if ae.ongoing is not True:
        return None
    updated = last_update(ae, saved)
    end = window.end
    if end is not None and not end.open_ended and today > end.latest:
        closed = end.latest
        if updated is None or updated < closed:
            return FollowUpDue(FollowUpReason.WINDOW_CLOSED, closed, updated)
        return None
    if updated is None:
        return None
    due = updated + dt.timedelta(days=followup_days)
    if today > due:
        return FollowUpDue(FollowUpReason.STALE, due, updated)
    return None
