"""The keys derived from TRAINING_SECRET_KEY, configured once per process (like the database engine)."""

from __future__ import annotations

from dataclasses import dataclass

from training.crypto import FieldCipher, derive_key, keyed_hash


@dataclass(frozen=True)
class Keys:
    id_hash: bytes  # ID-card look-up hash
    phone_hash: bytes
    field_cipher: FieldCipher  # ID-card and phone ciphertexts
    qr_token: bytes  # check-in QR tokens
    teacher_link: bytes  # self-service links in emails
    certificate: bytes  # certificate verification codes
    upload: bytes  # import uploads kept between the dry run and the import (AES-GCM)

    @classmethod
    def from_secret(cls, secret: str) -> Keys:
        return cls(
            id_hash=derive_key(secret, "id-hash"),
            phone_hash=derive_key(secret, "phone-hash"),
            field_cipher=FieldCipher(derive_key(secret, "field-cipher")),
            qr_token=derive_key(secret, "qr-token"),
            teacher_link=derive_key(secret, "teacher-link"),
            certificate=derive_key(secret, "certificate"),
            upload=derive_key(secret, "import-upload"),
        )

    def hash_id_card(self, number: str) -> str:
        return keyed_hash(self.id_hash, number)

    def hash_phone(self, number: str) -> str:
        return keyed_hash(self.phone_hash, number)


_current: Keys | None = None


def configure(secret: str) -> Keys:
    global _current
    _current = Keys.from_secret(secret)
    return _current


def current() -> Keys:
    if _current is None:
        raise RuntimeError("keys not configured; call training.keys.configure(settings.secret_key)")
    return _current
