"""SMS beside e-mail: queued in the same durable outbox, sent by provider clients (Alibaba Cloud, Tencent Cloud)."""

from training.sms.outbox import enqueue_sms

__all__ = ["enqueue_sms"]
