"""An application type-checks against rabbit's public surface (ADR 0030): a small package
of its own, importing only ``rabbit.api``, ``rabbit.commands`` and ``rabbit.errors``, passes
``mypy --strict`` with no configuration at all (run from its own folder, so this project's
``[tool.mypy]`` and its overrides do not apply), rabbit being found as an installed package
with its ``py.typed`` marker. A second module with a deliberate type error fails, which
shows mypy read rabbit's types rather than taking them as ``Any``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MYPY = Path(sys.executable).parent / "mypy"

APPLICATION = '''
"""Signs a user up, mapping rabbit's errors the way an HTTP application would."""

from __future__ import annotations

from rabbit.api import (
    Rabbit,
    RabbitSystem,
    SchemaStatus,
    Settings,
    create_container,
    migrate,
    running,
    schema_status,
)
from rabbit.commands import CreateOrganization, InviteMember, MemberRole, RegisterUser
from rabbit.errors import (
    ConnectionLostError,
    DatabaseUnavailableError,
    DomainError,
    NotFoundError,
    SchemaNotCurrentError,
    TokenKeyError,
)


async def sign_up(rabbit: Rabbit, email: str) -> str:
    user = await rabbit.organizations.register_user(RegisterUser(email=email))
    org = await rabbit.organizations.create_organization(
        user.id, CreateOrganization(name="Northwind", slug="northwind")
    )
    other = await rabbit.organizations.register_user(RegisterUser(email="b@example.com"))
    await rabbit.organizations.invite_member(
        user.id, org.id, InviteMember(user_id=other.id, role=MemberRole.MEMBER)
    )
    return org.slug


async def tick(system: RabbitSystem) -> None:
    await system.autopilot.tick()


async def main(settings: Settings) -> int:
    status: SchemaStatus = await schema_status(settings)
    if not status.is_current:
        await migrate(settings)
    try:
        async with running(create_container(settings)) as container:
            print(await sign_up(container.rabbit(), "a@example.com"))
            await tick(container.system())
    except (DatabaseUnavailableError, ConnectionLostError):
        return 503
    except (SchemaNotCurrentError, TokenKeyError):
        return 500
    except NotFoundError as error:
        print(error.entity, error.entity_id)
        return 404
    except DomainError as error:
        print(error.code, error.message)
        return 400
    return 0
'''

WRONG = """
from rabbit.api import Rabbit
from rabbit.commands import RegisterUser


async def sign_up(rabbit: Rabbit) -> int:
    user = await rabbit.organizations.register_user(RegisterUser(email="a@example.com"))
    return user.email
"""


def mypy_strict(folder: Path, module: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` of ``module`` from ``folder``, reading no configuration file; its
    cache is kept between runs in this project's (ignored) mypy cache folder."""
    cache = ROOT / ".mypy_cache" / "typed-surface"
    return subprocess.run(
        [MYPY, "--strict", "--config-file=", "--cache-dir", cache, "-p", module],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def application(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("external")
    package = folder / "application"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "py.typed").write_text("")
    (package / "main.py").write_text(APPLICATION)
    wrong = folder / "wrong_application"
    wrong.mkdir()
    (wrong / "__init__.py").write_text("")
    (wrong / "main.py").write_text(WRONG)
    return folder


def test_an_application_using_the_public_surface_passes_mypy_strict_without_overrides(
    application: Path,
) -> None:
    result = mypy_strict(application, "application")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_mypy_reads_rabbits_types_so_a_wrong_use_fails(application: Path) -> None:
    result = mypy_strict(application, "wrong_application")

    assert result.returncode == 1, result.stdout + result.stderr
    assert 'got "str", expected "int"' in result.stdout
    assert "[return-value]" in result.stdout
    assert "py.typed" not in result.stdout
