"""The README's code runs as written: the embedding example on both stores, and the
hand-built in-memory facade."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rabbit.application.facade import Rabbit
from rabbit.application.use_cases.organizations import RegisterUser
from support.keys import TEST_TOKEN_KEYS

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(name: str) -> str:
    """The python block between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    match = re.search(
        rf"<!-- {name}:start -->\s*```python\n(?P<code>.*?)```\s*<!-- {name}:end -->",
        README.read_text(),
        re.DOTALL,
    )
    assert match is not None, f"README.md has no {name} block"
    return match["code"]


def run_embedding_example(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **environment: str
) -> None:
    for name in (
        "DATABASE_URL",
        "RABBIT_STORE",
        "RABBIT_TOKEN_KEYS",
        "RABBIT_TOKEN_KEYS_FILE",
        "RABBIT_DEV",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RABBIT_DATA_DIR", str(tmp_path))
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    exec(compile(readme_block("embedding-example"), str(README), "exec"), {})


def test_the_embedding_example_runs_on_the_memory_store(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_embedding_example(monkeypatch, tmp_path, RABBIT_STORE="memory")

    assert capsys.readouterr().out == "northwind ['OWNER']\n"


@pytest.mark.postgres
def test_the_embedding_example_runs_on_a_fresh_postgres_database(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    scratch_database_url: str,
) -> None:
    run_embedding_example(
        monkeypatch,
        tmp_path,
        DATABASE_URL=scratch_database_url,  # empty: the example migrates it
        RABBIT_TOKEN_KEYS=TEST_TOKEN_KEYS,
    )

    assert capsys.readouterr().out == "northwind ['OWNER']\n"


async def test_the_hand_built_memory_facade_runs_use_cases() -> None:
    namespace: dict[str, object] = {}
    exec(compile(readme_block("memory-example"), str(README), "exec"), namespace)
    rabbit = namespace["rabbit"]
    assert isinstance(rabbit, Rabbit)

    user = await rabbit.organizations.register_user(RegisterUser(email="a@example.com"))

    assert user.id == "id000001"  # the README's SequentialIds
    assert user.created_at == namespace["clock"].now()  # type: ignore[attr-defined]
