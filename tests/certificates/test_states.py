"""The certificate domain's states: enum members are the strings stored, printed and answered by the API."""

from __future__ import annotations

from training.certificates.eligibility import decide
from training.certificates.states import ArtworkKind, Verdict, VerificationStatus


def test_members_are_the_stored_strings() -> None:
    assert VerificationStatus.UNKNOWN == "unknown" and ArtworkKind.SEAL == "seal"
    assert decide(18.0, 18.0).status == "eligible"
    assert decide(17.0, 18.0, exception=True).status is Verdict.GRANTED


def test_only_eligible_and_granted_earn_a_certificate() -> None:
    assert {v for v in Verdict if v.earns_certificate} == {Verdict.ELIGIBLE, Verdict.GRANTED}
    assert not decide(17.0, 18.0).eligible and not decide(30.0, 18.0, exception=False).eligible
