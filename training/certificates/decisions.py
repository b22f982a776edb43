"""What every certificate decision has in common: a written reason (and an entry in the audit log, through
training.audit.writer)."""

from __future__ import annotations

from training.errors import ValidationFailed
from training.i18n import N_, register_messages

REASON_MAX = 1000

register_messages(
    {
        "reason_required": N_("Please write down the reason."),
        "certificate_revoked": N_("This certificate has been revoked."),
        "certificate_not_revoked": N_("Only a revoked certificate can be re-issued."),
        "certificate_already_revoked": N_("This certificate is already revoked."),
        "not_confirmed": N_("Only confirmed participants can receive a certificate."),
        "artwork_too_big": N_("The image is too large (at most 8 MB)."),
        "artwork_bad_type": N_("Upload a PNG, JPEG or WebP image."),
        "artwork_too_many_pixels": N_(
            "The image has too many pixels (at most 40 megapixels); please scale it down."
        ),
        "artwork_too_small": N_("The image is too small (at least 64 pixels on each side)."),
        "certificates_too_early": N_(
            "The session's last block ends at {opens_at}: certificates can be issued after that, "
            "or now as an exception with a written reason."
        ),
    }
)


def require_reason(reason: str) -> str:
    """The organiser's reason, stripped; ValidationFailed when empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "reason_required"})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": "too_long"}, {"max": REASON_MAX})
    return reason
