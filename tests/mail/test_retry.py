"""The pure parts of the worker: back-off schedule, classification of SMTP failures, masking."""

import random
from datetime import timedelta

import aiosmtplib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.mail.redact import format_recipient, mask_email, scrub
from training.mail.retry import PERMANENT, TEMPORARY, RetryPolicy, classify


def test_back_off_doubles_until_the_cap() -> None:
    policy = RetryPolicy(base_seconds=15, factor=2, cap_seconds=3600)
    assert [policy.ceiling(n) for n in range(1, 10)] == [15, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert policy.ceiling(200) == 3600


@given(attempts=st.integers(min_value=1, max_value=100), seed=st.integers())
def test_jittered_delay_stays_between_half_and_the_whole_ceiling(attempts: int, seed: int) -> None:
    policy = RetryPolicy()
    delay = policy.delay(attempts, random.Random(seed))
    ceiling = policy.ceiling(attempts)
    assert timedelta(seconds=ceiling / 2) <= delay <= timedelta(seconds=ceiling)


def test_jitter_spreads_workers_that_failed_together() -> None:
    policy = RetryPolicy()
    rng = random.Random(7)
    delays = {policy.delay(3, rng) for _ in range(20)}
    assert len(delays) == 20


def test_default_schedule_rides_out_an_afternoon_outage() -> None:
    policy = RetryPolicy()
    total = sum(policy.ceiling(n) / 2 for n in range(1, policy.max_attempts))  # the shortest possible wait
    assert total > 3 * 3600
    assert not policy.exhausted(policy.max_attempts - 1)
    assert policy.exhausted(policy.max_attempts)


def refused(code: int, message: str = "no such user") -> aiosmtplib.SMTPRecipientsRefused:
    return aiosmtplib.SMTPRecipientsRefused(
        [aiosmtplib.SMTPRecipientRefused(code, f"{message} <li.hua@school.cn>", "li.hua@school.cn")]
    )


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (refused(550), PERMANENT),
        (refused(553), PERMANENT),
        (refused(450, "greylisted"), TEMPORARY),
        (refused(452, "mailbox full"), TEMPORARY),
        (aiosmtplib.SMTPDataError(554, "message rejected as spam"), PERMANENT),
        (aiosmtplib.SMTPDataError(451, "local error"), TEMPORARY),
        (aiosmtplib.SMTPSenderRefused(421, "try later", "training@example.org"), TEMPORARY),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), TEMPORARY),
        (aiosmtplib.SMTPConnectError("Error connecting to 127.0.0.1 on port 1"), TEMPORARY),
        (aiosmtplib.SMTPServerDisconnected("Server disconnected unexpectedly"), TEMPORARY),
        (aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"), TEMPORARY),
        (ConnectionRefusedError(111, "Connection refused"), TEMPORARY),
        (TimeoutError(), TEMPORARY),
        (ValueError("recipient is not an email address"), PERMANENT),
    ],
)
def test_smtp_failures_are_classified(exc: BaseException, kind: str) -> None:
    verdict = classify(exc)
    assert verdict.kind == kind
    assert verdict.error


def test_errors_never_carry_a_full_address() -> None:
    verdict = classify(refused(550))
    assert "li.hua@school.cn" not in verdict.error
    assert "li***@school.cn" in verdict.error
    assert verdict.error.startswith("recipient refused: 550")


def test_addresses_are_masked_partially() -> None:
    assert mask_email("zhang.san@example.org") == "zh***@example.org"
    assert mask_email("ab@x.cn") == "a***@x.cn"
    assert mask_email('"张三" <zhang.san@example.org>') == "zh***@example.org"
    assert mask_email("not an address") == "***"


def test_scrub_masks_addresses_and_keeps_one_short_line() -> None:
    text = scrub("550 5.1.1 <wang.wu@qq.com>:\r\n Recipient address rejected " + "x" * 400)
    assert "wang.wu@qq.com" not in text and "wa***@qq.com" in text
    assert "\n" not in text and len(text) <= 300


def test_display_names_are_quoted_for_the_header() -> None:
    assert format_recipient("a@b.cn") == "a@b.cn"
    assert format_recipient("a@b.cn", "张三") == "张三 <a@b.cn>"
    assert format_recipient("a@b.cn", "Li, Hua") == '"Li, Hua" <a@b.cn>'


def test_an_unreachable_relay_is_told_apart_from_a_refusal() -> None:
    assert classify(ConnectionRefusedError(111, "Connection refused")).unreachable
    assert classify(aiosmtplib.SMTPReadTimeoutError("Timed out")).unreachable
    assert not classify(refused(450)).unreachable
    assert not classify(aiosmtplib.SMTPDataError(451, "local error")).unreachable
