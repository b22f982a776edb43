"""The certificate domain's states and kinds, as `StrEnum`s: a member is its stored/printed string, so existing
rows, JSON answers and templates comparing with the bare string keep working."""

from __future__ import annotations

from enum import StrEnum


class VerificationStatus(StrEnum):
    """What /verify says about a serial (a certificate is valid until revoked; re-issue makes it valid again)."""

    VALID = "valid"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """Eligibility of one participant: by hours (eligible / short) or by an organiser's exception."""

    ELIGIBLE = "eligible"
    SHORT = "short"
    GRANTED = "granted"
    DENIED = "denied"

    @property
    def earns_certificate(self) -> bool:
        return self in (Verdict.ELIGIBLE, Verdict.GRANTED)


class Design(StrEnum):
    """The certificate's style: exchange cohorts get their own; every other programme the summer one. (The page
    orientation is the programme's `training.programmes.states.CertificateLayout`.)"""

    SUMMER = "summer"
    EXCHANGE = "exchange"


class ArtworkKind(StrEnum):
    """An organiser's image for a programme's certificates."""

    BACKGROUND = "background"
    SEAL = "seal"


class BatchStage(StrEnum):
    """Where an issue batch is (the organiser page polls it)."""

    STARTING = "starting"
    CLAIM = "claim"
    RENDER = "render"


class PrintStage(StrEnum):
    """Where a print run is (the organiser page polls it)."""

    STARTING = "starting"
    PAGES = "pages"
    ZIP = "zip"
    DONE = "done"
