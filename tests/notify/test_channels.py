"""Which channel gets which message (pure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from training.notify.channels import ESSENTIAL, Contact, channels_for

BOTH = Contact(email="a@example.org", phone="19912345678", preferred="sms")


def test_essential_messages_go_on_every_channel_that_works() -> None:
    assert channels_for("confirmation", BOTH, sms_enabled=True) == ("sms", "email")
    assert channels_for("confirmation", BOTH, sms_enabled=False) == ("email",)
    assert channels_for("promotion", Contact(phone="19912345678"), sms_enabled=True) == ("sms",)


def test_an_opt_out_never_silences_an_essential_message() -> None:
    opted_out = Contact(email="a@example.org", phone="19912345678", essential_only=True)
    assert channels_for("cancelled", opted_out, sms_enabled=True) == ("sms", "email")
    assert channels_for("reminder", opted_out, sms_enabled=True) == ()


def test_other_messages_go_once_on_the_preferred_channel_or_the_one_that_works() -> None:
    assert channels_for("reminder", BOTH, sms_enabled=True) == ("sms",)
    prefers_mail = Contact(email="a@example.org", phone="19912345678", preferred="email")
    assert channels_for("broadcast", prefers_mail, sms_enabled=True) == ("email",)
    # prefers SMS but no provider is configured: e-mail rather than nothing
    assert channels_for("reminder", BOTH, sms_enabled=False) == ("email",)
    # prefers e-mail but gave none
    assert channels_for("reminder", Contact(phone="19912345678", preferred="email"), sms_enabled=True) == (
        "sms",
    )


@settings(deadline=None)  # a loaded shared machine must not fail a pure property
@given(
    st.sampled_from(sorted(ESSENTIAL)),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["sms", "email"]),
    st.booleans(),
)
def test_an_essential_message_reaches_every_teacher_with_a_working_channel(
    kind: str, has_email: bool, sms_enabled: bool, preferred: str, essential_only: bool
) -> None:
    contact = Contact(
        email="a@example.org" if has_email else "",
        phone="19912345678",
        preferred=preferred,
        essential_only=essential_only,
    )
    chosen = channels_for(kind, contact, sms_enabled)
    assert bool(chosen) == (has_email or sms_enabled)
