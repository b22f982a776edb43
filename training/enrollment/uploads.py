"""Import uploads between the dry run and the import: encrypted, bound to who uploaded them, deleted within the hour.

A list of teachers carries full ID-card and mobile numbers, which the service otherwise keeps only hashed,
encrypted and masked. The dry run needs the file again when the organiser confirms, one request later, so the
upload is kept as `DATA_DIR/imports/<random>.<ext>`: AES-256-GCM under a key derived for this purpose, the
ciphertext bound to the session and the user (another user or session cannot open it), mode 0600.

It is deleted when the import runs, when the dry run shows nothing to import or refuses the file, `UPLOAD_TTL`
after the upload (checked on use, at start and every `SWEEP_INTERVAL` by a background task), and by erasure of
any teacher's personal data. Files of any other shape in the folder (plain uploads from older versions) are
deleted at start.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag

from training import keys
from training.crypto import seal, unseal
from training.enrollment.importing import ImportRefused
from training.files import private_dir, write_private
from training.i18n import N_, register_messages

UPLOAD_TTL_S = 3600  # one hour: long enough to read a dry run, short enough to hold little
SWEEP_INTERVAL_S = 300
_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")
log = logging.getLogger("training.enrollment")

register_messages(
    {
        "upload_expired": N_(
            "This upload is no longer kept (uploads are deleted after an hour). Choose the file again."
        ),
    }
)


def folder(data_dir: Path) -> Path:
    return data_dir / "imports"


def _context(name: str, session_id: int, user_id: int | None) -> str:
    return f"import-upload:{name}:{session_id}:{user_id or 0}"


def store(data_dir: Path, original_name: str, data: bytes, *, session_id: int, user_id: int | None) -> str:
    """Encrypt and keep an upload; returns its name (the handle the confirm form sends back)."""
    ext = "xlsx" if original_name.lower().endswith(".xlsx") else "csv"
    name = f"{secrets.token_hex(16)}.{ext}"
    target = private_dir(folder(data_dir)) / name
    write_private(target, seal(keys.current().upload, data, _context(name, session_id, user_id)))
    return name


def load(
    data_dir: Path, name: str, *, session_id: int, user_id: int | None, now: float | None = None
) -> bytes:
    """The plaintext of a kept upload; ImportRefused("upload_expired") if gone, too old or not this user's."""
    if not _NAME.match(name):
        raise ImportRefused("upload_expired")
    path = folder(data_dir) / name
    try:
        age = (now if now is not None else time.time()) - path.stat().st_mtime
        blob = path.read_bytes()
    except FileNotFoundError:
        raise ImportRefused("upload_expired") from None
    if age > UPLOAD_TTL_S:
        discard(data_dir, name)
        raise ImportRefused("upload_expired")
    try:
        return unseal(keys.current().upload, blob, _context(name, session_id, user_id))
    except (InvalidTag, ValueError):
        raise ImportRefused("upload_expired") from None


def discard(data_dir: Path, name: str) -> None:
    if _NAME.match(name):
        (folder(data_dir) / name).unlink(missing_ok=True)


def sweep(data_dir: Path, *, now: float | None = None, everything: bool = False) -> int:
    """Delete expired uploads and anything that is not an encrypted upload (all of them with everything=True);
    returns how many files went."""
    directory = folder(data_dir)
    if not directory.is_dir():
        return 0
    moment = now if now is not None else time.time()
    removed = 0
    for path in directory.iterdir():
        try:
            if path.is_dir():
                continue
            expired = moment - path.stat().st_mtime > UPLOAD_TTL_S
            if everything or expired or not _NAME.match(path.name):
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another worker swept it first
            continue
    return removed


async def sweep_periodically(data_dir: Path) -> None:
    """At start and every SWEEP_INTERVAL_S: the upper bound on how long an abandoned upload stays."""
    while True:
        try:
            removed = await asyncio.to_thread(sweep, data_dir)
            if removed:
                log.info("deleted %d expired import uploads", removed)
        except OSError as exc:
            log.warning("could not sweep import uploads: %s", exc.strerror or exc)
        await asyncio.sleep(SWEEP_INTERVAL_S)
