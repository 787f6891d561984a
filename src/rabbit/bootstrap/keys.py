"""The token cipher's keys: configured, or (in development only) generated into the data folder.

Where the keys come from, first match wins (ADR 0017):

1. ``RABBIT_TOKEN_KEYS`` (``id=base64key,…``);
2. ``RABBIT_TOKEN_KEYS_FILE``, a file of ``id=base64key`` entries, one a line or
   comma-separated (blank lines and ``#`` comments are skipped): the production way to keep
   keys out of the environment;
3. only when ``Settings.local_conveniences`` holds (the embedded server, the memory store,
   or ``RABBIT_DEV=1``): a development key generated once into ``<data_dir>/token-keys``.

Anything else refuses to start with :class:`TokenKeyError`: a ``DATABASE_URL`` server never
gets a key made up on the spot, since two workers on one database would then hold different
keys under the same id and could not read each other's tokens.

A key file (configured or the development one) must be a regular file owned by the current
user with no group or other permission bits (POSIX): keys readable by another account are
not secret. The checks run on the opened file (``fstat``), so the file checked is the file
read. The development key file is opened without following a symbolic link, created 0600
with an exclusive create, and refused in a data folder that anyone may write to without the
sticky bit (another user could swap the file).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from rabbit.bootstrap.settings import Settings
from rabbit.domain.errors import TokenKeyError
from rabbit_local.cipher import AesGcmTokenCipher, encode_key, generate_key, parse_keys

DEV_KEY_FILE = "token-keys"
DEV_KEY_ID = "dev"

NO_KEYS = (
    "RABBIT_TOKEN_KEYS is not set: a DATABASE_URL server needs the token keys of every worker "
    "(RABBIT_TOKEN_KEYS or RABBIT_TOKEN_KEYS_FILE); set one, or RABBIT_DEV=1 for a generated "
    "development key"
)

_POSIX = os.name == "posix"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def build_cipher(settings: Settings) -> AesGcmTokenCipher:
    """The cipher for ``settings`` (see the module docstring); TokenKeyError when no key may
    be used, ValidationError (field ``keys``) when the configured keys are malformed."""
    config = configured_keys(settings)
    keys = parse_keys(config)
    return AesGcmTokenCipher(keys, settings.token_key_id or next(iter(keys)))


def configured_keys(settings: Settings) -> str:
    """The keys' configuration text, from the first source that applies."""
    from_environment = (settings.token_keys or "").strip()
    if from_environment and settings.token_keys_file is not None:
        raise TokenKeyError(
            "RABBIT_TOKEN_KEYS and RABBIT_TOKEN_KEYS_FILE are both set: keep one source of keys"
        )
    if from_environment:
        return from_environment
    if settings.token_keys_file is not None:
        return _entries(read_key_file(settings.token_keys_file, "RABBIT_TOKEN_KEYS_FILE"))
    if settings.local_conveniences:
        return _entries(development_keys(settings.data_dir))
    raise TokenKeyError(NO_KEYS)


def _entries(text: str) -> str:
    """A key file's text as ``id=key,…``: entries one a line or comma-separated, blank
    lines and ``#`` comments skipped."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return ",".join(line for line in lines if line)


def read_key_file(path: Path, what: str, *, follow_symlinks: bool = True) -> str:
    """The text of a key file that only its owner, the current user, can read or write."""
    flags = os.O_RDONLY | _CLOEXEC | (0 if follow_symlinks else _NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise TokenKeyError(f"{what} {path}: no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise TokenKeyError(f"{what} {path} is a symbolic link: refused") from None
        raise TokenKeyError(f"{what} {path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(descriptor, encoding="utf-8") as handle:
        check_private(os.fstat(handle.fileno()), path, what)
        try:
            return handle.read()
        except UnicodeDecodeError:
            raise TokenKeyError(f"{what} {path}: not a text file of key entries") from None


def check_private(status: os.stat_result, path: Path, what: str) -> None:
    """TokenKeyError unless ``status`` is a regular file owned by the current user with no
    group or other permission bits (POSIX only)."""
    if not stat.S_ISREG(status.st_mode):
        raise TokenKeyError(f"{what} {path} is not a regular file")
    if not _POSIX:
        return
    if status.st_uid != os.getuid():
        raise TokenKeyError(
            f"{what} {path} is owned by uid {status.st_uid}, not by this user "
            f"(uid {os.getuid()}): refused"
        )
    if status.st_mode & 0o077:
        raise TokenKeyError(
            f"{what} {path} has mode {stat.S_IMODE(status.st_mode):04o}: other users may "
            f"read or change it; run chmod 600 {path}"
        )


def development_keys(data_dir: Path) -> str:
    """The development key file's text, generating the key the first time (mode 0600).

    Two processes starting at once agree on one key: each writes a complete private file
    under a name of its own, then links it to the final name, which fails for all but the
    first (``link`` never replaces a file)."""
    _check_folder(data_dir)
    path = data_dir / DEV_KEY_FILE
    if not path.is_symlink() and not path.exists():
        _create_development_key(path)
    return read_key_file(path, "development key file", follow_symlinks=False)


def _check_folder(data_dir: Path) -> None:
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _POSIX:
        return
    mode = data_dir.stat().st_mode
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        raise TokenKeyError(
            f"data folder {data_dir} is writable by every user: another one could replace "
            f"the development key file; run chmod o-w {data_dir}"
        )


def _create_development_key(path: Path) -> None:
    partial = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(f"{DEV_KEY_ID}={encode_key(generate_key())}\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs
            os.link(partial, path)
    finally:
        partial.unlink(missing_ok=True)
