"""Who has earned a certificate. Pure: numbers in, decisions out.

A teacher earns a certificate when the hours of the non-cancelled blocks they attended reach the session's
threshold. The threshold is `completion_hours` when set, else `completion_percent` of the timetable's hours,
else the whole timetable (a session without a rule demands full attendance rather than certifying everyone).
An organiser's exception overrides the hours either way: granted → eligible, denied → not eligible.

Certificates are issued only once the session's last (non-cancelled) block has ended: hours counted on day 1
of a 2-day session can already pass a low threshold, but nobody has finished the training yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from training.certificates.states import Verdict

# Hours are sums of small decimals (1.5 + 3.0 + ...): compare with a tolerance so 17.999999 counts as 18.
EPSILON = 1e-6


@dataclass(frozen=True)
class Decision:
    status: Verdict
    attended_hours: float
    threshold: float
    shortfall: float  # hours still missing (0 when the hours suffice)

    @property
    def eligible(self) -> bool:
        return self.status.earns_certificate


def threshold_hours(
    completion_hours: float | None, completion_percent: float | None, total_hours: float
) -> float:
    """The hours a teacher must attend."""
    if completion_hours is not None:
        return max(0.0, float(completion_hours))
    if completion_percent is not None:
        return max(0.0, total_hours * float(completion_percent) / 100.0)
    return total_hours


def attended_hours(blocks: list[tuple[float, bool]]) -> float:
    """Sum of hours over attended blocks given as (hours, cancelled); cancelled blocks count nothing."""
    return sum(hours for hours, cancelled in blocks if not cancelled)


def decide(attended: float, threshold: float, exception: bool | None = None) -> Decision:
    """exception: None (no decision), True (granted), False (denied)."""
    shortfall = max(0.0, threshold - attended)
    if shortfall <= EPSILON:
        shortfall = 0.0
    if exception is True:
        status = Verdict.GRANTED
    elif exception is False:
        status = Verdict.DENIED
    else:
        status = Verdict.ELIGIBLE if shortfall == 0.0 else Verdict.SHORT
    return Decision(status=status, attended_hours=attended, threshold=threshold, shortfall=shortfall)


def issue_opens_at(blocks: list[tuple[date, time, bool]], ends_on: date, zone: tzinfo) -> datetime:
    """When certificates may be issued: the end of the last non-cancelled block (day, ends_at, cancelled),
    in the session's local time; without any block, the midnight after the session's last day."""
    ends = [
        datetime.combine(day, ends_at, tzinfo=zone) for day, ends_at, cancelled in blocks if not cancelled
    ]
    if ends:
        return max(ends)
    return datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=zone)
