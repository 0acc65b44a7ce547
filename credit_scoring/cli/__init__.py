"""The `credit-scoring` command line.

Each sub-command lives in its own module of this package, exposing `register(subparsers)`; the
module imports its heavy dependencies inside the function it runs, so that `credit-scoring serve`
never loads the training stack. A command reports bad input with `CommandError`, which ends the
process with a clear message on stderr and exit status 2, never a traceback. SIGTERM ends a command as
Ctrl-C does, by unwinding it, so that every output still being written (a `.partial` temporary file)
is removed rather than left behind.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Sequence
from types import FrameType

COMMAND_MODULES = (
    "validate",
    "synth",
    "train",
    "evaluate",
    "import_sklearn",
    "serve",
    "batch",
    "monitor",
)


class CommandError(Exception):
    """Bad input or environment for a command: its message names the file, column or row at fault."""


class Terminated(BaseException):
    """SIGTERM received: a BaseException, so that no `except Exception` stops the unwinding."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


TERMINATED_STATUS = 128 + signal.SIGTERM


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="credit-scoring",
        description="Train, verify and serve the Prêt à dépenser credit-scoring model.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"credit_scoring.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return int(args.run(args) or 0)
    except CommandError as error:
        print(f"credit-scoring {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"credit-scoring {args.command}: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print(f"credit-scoring {args.command}: terminated", file=sys.stderr)
        return TERMINATED_STATUS
    finally:
        signal.signal(signal.SIGTERM, previous)
