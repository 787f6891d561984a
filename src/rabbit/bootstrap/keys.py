"""The token cipher's keys: from configuration, or a development key kept in the data folder.

Production sets ``RABBIT_TOKEN_KEYS`` (keys never live in the database). A local run with no
keys configured gets one generated once into ``<data_dir>/token-keys`` (mode 0600), so the
demo and a developer's database stay readable across runs.
"""

from __future__ import annotations

import os
from pathlib import Path

from rabbit.bootstrap.settings import Settings
from rabbit_local.cipher import AesGcmTokenCipher, encode_key, generate_key

DEV_KEY_FILE = "token-keys"
DEV_KEY_ID = "dev"


def build_cipher(settings: Settings) -> AesGcmTokenCipher:
    """The cipher for ``settings``: configured keys, else the development key file."""
    config = settings.token_keys or _development_keys(settings.data_dir)
    first_key_id = config.split(",", 1)[0].partition("=")[0].strip()
    return AesGcmTokenCipher.from_config(config, settings.token_key_id or first_key_id)


def _development_keys(data_dir: Path) -> str:
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(f"{DEV_KEY_ID}={encode_key(generate_key())}\n")
    return path.read_text().strip()
