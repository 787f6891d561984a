"""The ``rabbit`` command: the demo, the autopilot job and database administration.

Every failure ends as one ``rabbit: error: …`` line on stderr and a non-zero exit code:
what a user can cause or fix (bad flags, bad input, an unreachable database, a server
without pgvector, a schema not at head, an alembic error such as an unknown revision, a
command whose optional dependencies are not installed: ``rabbit[studio]``…) says
what is wrong; anything else (a bug) names its exception type and points to ``--debug``,
which shows the traceback instead.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rabbit import __version__
from rabbit._extras import MissingExtraError, require
from rabbit.bootstrap import database
from rabbit.bootstrap.settings import Settings
from rabbit.domain.errors import DomainError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """A usage error found after parsing (for example a bad ``--now``)."""


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant; a naive one is taken as UTC."""
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now: not an ISO 8601 instant: {text!r}") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rabbit",
        description="The service core of an autonomous social media marketing agent.",
    )
    parser.add_argument("--version", action="version", version=f"rabbit {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser("demo", help="seed a demo agency and run the autopilot")
    demo.add_argument("--days", type=int, default=14, help="simulated days (default 14)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--memory", action="store_true", help="use the in-memory store")
    demo.set_defaults(handler=_demo)

    autopilot = commands.add_parser("autopilot", help="the autopilot job")
    autopilot_commands = autopilot.add_subparsers(dest="autopilot_command", required=True)
    tick = autopilot_commands.add_parser("tick", help="run one tick (or loop)")
    tick.add_argument("--now", type=str, default=None, help="the instant (ISO 8601)")
    tick.add_argument("--loop", action="store_true", help="tick forever")
    tick.add_argument("--interval", type=float, default=300.0, help="seconds between ticks")
    tick.set_defaults(handler=_tick)

    db = commands.add_parser("db", help="database administration (alembic)")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="migrate to the newest revision").set_defaults(
        handler=lambda args, settings: database.upgrade(settings)
    )
    down = db_commands.add_parser("downgrade", help="undo migrations (drops tables and their data)")
    down.add_argument("revision", nargs="?", default="-1")
    _add_destructive_flags(down)
    down.set_defaults(handler=_downgrade)
    db_commands.add_parser("current", help="show the current revision").set_defaults(
        handler=lambda args, settings: database.current(settings)
    )
    rev = db_commands.add_parser("revision", help="write a new revision")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--autogenerate", action="store_true")
    rev.set_defaults(
        handler=lambda args, settings: database.revision(
            settings, args.message, autogenerate=args.autogenerate
        )
    )
    reset = db_commands.add_parser(
        "reset", help="drop every table and migrate again (all data is lost)"
    )
    _add_destructive_flags(reset)
    reset.set_defaults(handler=_reset)
    db_commands.add_parser(
        "seed", help="migrate and seed a demo agency (no autopilot run)"
    ).set_defaults(handler=_seed)

    studio = commands.add_parser("studio", help="browse and edit the data in a local web UI")
    studio.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    studio.set_defaults(handler=_studio)
    return parser


def _add_destructive_flags(command: argparse.ArgumentParser) -> None:
    """``--yes`` and ``--force``, which every command that destroys data requires
    (:func:`_guard_destruction`)."""
    command.add_argument("--yes", action="store_true", help="confirm that data is lost")
    command.add_argument(
        "--force", action="store_true", help="allow a DATABASE_URL server, not the embedded one"
    )


def _guard_destruction(
    args: argparse.Namespace, settings: Settings, *, name: str, what: str
) -> None:
    """The guard of every destructive command, checked before the database is contacted:
    ``--yes`` always, and ``--force`` as well on a ``DATABASE_URL`` server (only the local
    embedded server is fair game by default)."""
    if not args.yes:
        raise CliError(f"{name} {what}: run it again with --yes to confirm")
    if not database.uses_embedded_server(settings) and not args.force:
        raise CliError(
            f"{name} refuses a DATABASE_URL server (only the embedded one by default): "
            f"add --force to run it there anyway"
        )


def _reset(args: argparse.Namespace, settings: Settings) -> None:
    _guard_destruction(args, settings, name="db reset", what="deletes all data")
    database.reset(settings)
    print("database reset: migrated to head on an empty schema", flush=True)


def _downgrade(args: argparse.Namespace, settings: Settings) -> None:
    _guard_destruction(
        args, settings, name="db downgrade", what="drops the tables it undoes, with their data"
    )
    database.downgrade(settings, args.revision)


def _seed(args: argparse.Namespace, settings: Settings) -> None:
    require("rich", extra="demo", needed_by="rabbit db seed")
    from rabbit.cli.demo import seed

    seed(settings)


def _studio(args: argparse.Namespace, settings: Settings) -> None:
    for module in ("sqladmin", "uvicorn"):
        require(module, extra="studio", needed_by="rabbit studio")
    from rabbit.cli.studio import serve

    if not 0 < args.port < 65536:
        raise CliError(f"--port must be between 1 and 65535, not {args.port}")
    serve(settings, port=args.port)


def _demo(args: argparse.Namespace, settings: Settings) -> None:
    require("rich", extra="demo", needed_by="rabbit demo")
    from rabbit.cli.demo import demo

    demo(settings, days=args.days, seed=args.seed, memory=args.memory)


def _tick(args: argparse.Namespace, settings: Settings) -> None:
    from rabbit.cli.autopilot import run_ticks

    now = parse_instant(args.now) if args.now else None
    asyncio.run(run_ticks(settings, now=now, loop=args.loop, interval=args.interval))


Handler = Callable[[argparse.Namespace, Settings], None]

#: Failures a user can cause or fix: reported as one line, not a traceback.
HANDLED_ERRORS: tuple[type[Exception], ...] = (
    CliError,
    DomainError,
    MissingExtraError,
    ValueError,
    OSError,
    *database.DATABASE_ERRORS,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # pgserver warns when XDG_RUNTIME_DIR is unset (it falls back to /tmp): noise to users
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        handler(args, Settings())
    except KeyboardInterrupt:
        return 130
    except HANDLED_ERRORS as exc:
        if args.debug:
            raise
        print(f"rabbit: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, CliError) else EXIT_FAILURE
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"rabbit: error: {type(exc).__name__}: {_one_line(exc)} "
            "(rabbit --debug … shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return EXIT_OK


def _one_line(exc: BaseException) -> str:
    """The first non-blank line of the message (alembic's start with a blank one), else
    the exception's type."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
