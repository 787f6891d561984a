"""Where the token keys come from, and when the core refuses to start without them
(ADR 0017): no silent development key on a DATABASE_URL server, private key files only,
and one key per key id on one database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from dependency_injector import providers

from rabbit.bootstrap import keys
from rabbit.bootstrap.containers import Container, MemoryStore, create_container, running
from rabbit.bootstrap.keys import DEV_KEY_FILE, NO_KEYS, build_cipher
from rabbit.bootstrap.settings import Settings, StoreKind
from rabbit.domain.errors import TokenKeyError
from rabbit_local.cipher import encode_key, generate_key, key_fingerprint, parse_keys
from rabbit_memory import MemoryDatabase
from support.keys import TEST_TOKEN_KEYS

UNREACHABLE = "postgresql://rabbit@127.0.0.1:1/rabbit"  # never contacted by these tests
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX owner and mode bits")


def server_settings(tmp_path: Path, **values: object) -> Settings:
    """Settings of a worker on a DATABASE_URL server, nothing else configured."""
    return Settings(database_url=UNREACHABLE, data_dir=tmp_path, **values)  # type: ignore[arg-type]


def key_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_a_database_url_server_without_keys_refuses_to_build_the_cipher(tmp_path: Path) -> None:
    with pytest.raises(TokenKeyError) as refused:
        build_cipher(server_settings(tmp_path))

    assert str(refused.value) == NO_KEYS
    assert str(refused.value).startswith("RABBIT_TOKEN_KEYS is not set")
    assert "RABBIT_DEV=1" in str(refused.value)
    assert not (tmp_path / DEV_KEY_FILE).exists()  # no key was made up


async def test_running_refuses_a_database_url_server_without_keys_before_connecting(
    tmp_path: Path,
) -> None:
    container = create_container(server_settings(tmp_path))

    with pytest.raises(TokenKeyError, match=r"^RABBIT_TOKEN_KEYS is not set"):
        async with running(container):
            pass  # pragma: no cover - never reached


def test_development_mode_allows_the_generated_key_on_a_database_url_server(
    tmp_path: Path,
) -> None:
    first = build_cipher(server_settings(tmp_path, dev=True))
    again = build_cipher(server_settings(tmp_path, dev=True))

    assert first.current_key_id == "dev"
    assert again.fingerprints() == first.fingerprints()  # kept in the data folder
    assert (tmp_path / DEV_KEY_FILE).stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("store", [StoreKind.MEMORY, StoreKind.POSTGRES])
def test_the_embedded_server_and_the_memory_store_get_the_development_key(
    tmp_path: Path, store: StoreKind
) -> None:
    settings = Settings(store=store, data_dir=tmp_path)

    assert build_cipher(settings).current_key_id == "dev"


def test_configured_keys_are_used_on_a_database_url_server(tmp_path: Path) -> None:
    cipher = build_cipher(server_settings(tmp_path, token_keys=TEST_TOKEN_KEYS))

    assert cipher.fingerprints() == {
        key_id: key_fingerprint(key) for key_id, key in parse_keys(TEST_TOKEN_KEYS).items()
    }
    assert not (tmp_path / DEV_KEY_FILE).exists()


def test_a_key_file_of_lines_and_comments_is_read(tmp_path: Path) -> None:
    old, new = generate_key(), generate_key()
    path = key_file(
        tmp_path / "keys",
        f"# rotated 2026-11\nnew={encode_key(new)}\n\nold={encode_key(old)}  # retire soon\n",
    )

    cipher = build_cipher(server_settings(tmp_path, token_keys_file=path))

    assert cipher.current_key_id == "new"
    assert cipher.fingerprints() == {"new": key_fingerprint(new), "old": key_fingerprint(old)}


def test_a_key_file_of_comma_separated_entries_is_read(tmp_path: Path) -> None:
    path = key_file(tmp_path / "keys", f"{TEST_TOKEN_KEYS},b={encode_key(generate_key())}\n")

    cipher = build_cipher(server_settings(tmp_path, token_keys_file=path, token_key_id="b"))

    assert set(cipher.fingerprints()) == {"test", "b"}
    assert cipher.current_key_id == "b"


@posix_only
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_refuses_a_key_file_other_users_may_read_or_write(tmp_path: Path, mode: int) -> None:
    path = key_file(tmp_path / "keys", TEST_TOKEN_KEYS, mode)

    with pytest.raises(TokenKeyError) as refused:
        build_cipher(server_settings(tmp_path, token_keys_file=path))

    assert f"mode {mode:04o}" in str(refused.value)
    assert "chmod 600" in str(refused.value)
    assert TEST_TOKEN_KEYS.partition("=")[2] not in str(refused.value)


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_accepts_a_key_file_only_its_owner_can_read(tmp_path: Path, mode: int) -> None:
    path = key_file(tmp_path / "keys", TEST_TOKEN_KEYS, mode)

    assert build_cipher(server_settings(tmp_path, token_keys_file=path)).current_key_id == "test"


@posix_only
def test_refuses_a_key_file_owned_by_another_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = key_file(tmp_path / "keys", TEST_TOKEN_KEYS)
    monkeypatch.setattr(keys.os, "getuid", lambda: path.stat().st_uid + 1)

    with pytest.raises(TokenKeyError, match="is owned by uid"):
        build_cipher(server_settings(tmp_path, token_keys_file=path))


def test_refuses_a_missing_key_file_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(TokenKeyError, match=r"RABBIT_TOKEN_KEYS_FILE .*: no such file$"):
        build_cipher(server_settings(tmp_path, token_keys_file=tmp_path / "absent"))


def test_refuses_keys_from_both_the_environment_and_a_file(tmp_path: Path) -> None:
    path = key_file(tmp_path / "keys", TEST_TOKEN_KEYS)

    with pytest.raises(TokenKeyError, match="both set"):
        build_cipher(server_settings(tmp_path, token_keys=TEST_TOKEN_KEYS, token_keys_file=path))


@posix_only
def test_refuses_a_development_key_file_other_users_may_read(tmp_path: Path) -> None:
    key_file(tmp_path / DEV_KEY_FILE, f"dev={encode_key(generate_key())}\n", 0o644)

    with pytest.raises(TokenKeyError, match="mode 0644"):
        build_cipher(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))


@posix_only
def test_refuses_a_development_key_file_that_is_a_symbolic_link(tmp_path: Path) -> None:
    planted = key_file(tmp_path / "planted", f"dev={encode_key(generate_key())}\n")
    (tmp_path / DEV_KEY_FILE).symlink_to(planted)

    with pytest.raises(TokenKeyError, match="is a symbolic link"):
        build_cipher(Settings(store=StoreKind.MEMORY, data_dir=tmp_path))


@posix_only
def test_refuses_a_world_writable_data_folder_for_the_development_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir()
    data_dir.chmod(0o777)

    with pytest.raises(TokenKeyError, match="writable by every user"):
        build_cipher(Settings(store=StoreKind.MEMORY, data_dir=data_dir))
    assert not (data_dir / DEV_KEY_FILE).exists()


def test_concurrent_first_starts_agree_on_one_development_key(tmp_path: Path) -> None:
    """The loser of the race reads the winner's complete file, never a half-written one."""
    settings = Settings(store=StoreKind.MEMORY, data_dir=tmp_path)
    winner = f"dev={encode_key(generate_key())}\n"
    real_link = os.link

    def link_after_another_process(source: Path, target: Path) -> None:
        key_file(Path(target), winner)  # another process linked its file first
        real_link(source, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keys.os, "link", link_after_another_process)
        cipher = build_cipher(settings)

    assert cipher.fingerprints() == {"dev": key_fingerprint(parse_keys(winner)["dev"])}
    assert sorted(path.name for path in tmp_path.iterdir()) == [DEV_KEY_FILE]  # no leftovers


def memory_container(database: MemoryDatabase, tmp_path: Path, token_keys: str) -> Container:
    """A container of a worker on the memory store ``database`` (shared, as workers share
    one PostgreSQL database), holding ``token_keys``."""
    settings = providers.Object(
        Settings(store=StoreKind.MEMORY, data_dir=tmp_path, token_keys=token_keys)
    )
    store = MemoryStore(settings=settings)
    store.database.override(providers.Object(database))
    return Container(settings=settings, store=store)


async def test_a_second_start_with_another_key_under_the_same_id_is_refused_in_memory(
    tmp_path: Path,
) -> None:
    database = MemoryDatabase()
    async with running(memory_container(database, tmp_path, TEST_TOKEN_KEYS)):
        pass
    another = f"test={encode_key(generate_key())}"

    with pytest.raises(TokenKeyError, match="token key 'test' is not the key registered"):
        async with running(memory_container(database, tmp_path, another)):
            pass  # pragma: no cover - never reached
    async with running(memory_container(database, tmp_path, TEST_TOKEN_KEYS)):
        pass  # the registered key still starts
    assert database.count("token_keys") == 1


@pytest.mark.postgres
async def test_a_second_start_with_another_key_under_the_same_id_is_refused_on_postgres(
    tmp_path: Path, postgres_url: str
) -> None:
    key_id = f"k-{uuid.uuid4().hex}"  # an id of its own on the shared test database

    def settings() -> Settings:
        return Settings(
            database_url=postgres_url,
            data_dir=tmp_path,
            token_keys=f"{key_id}={encode_key(generate_key())}",
        )

    first = settings()
    async with running(create_container(first)):
        pass

    with pytest.raises(TokenKeyError, match=f"token key '{key_id}' is not the key registered"):
        async with running(create_container(settings())):
            pass  # pragma: no cover - never reached
    async with running(create_container(first)):  # the registered key still starts
        pass
