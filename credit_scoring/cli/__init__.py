"""The `credit-scoring` command line.

Each sub-command lives in its own module of this package, exposing `register(subparsers)`; the
module imports its heavy dependencies inside the function it runs, so that `credit-scoring serve`
never loads the training stack. A command reports bad input with `CommandError`, which ends the
process with a clear message on stderr and exit status 2, never a traceback. SIGTERM ends a command as
Ctrl-C does, by unwinding it, so that every output still being written (a `.partial` temporary file)
is removed rather than left behind. C code can swallow the exception a signal raises inside it (pandas'
isinstance checks do), so the signal is also kept, and `raise_if_stopped` raises it again where a
command writes its outputs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import signal
import sys
from collections.abc import Iterator, Sequence
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


TERMINATED_STATUS = 128 + signal.SIGTERM

_received: list[int] = []
"""The stop signals received while a command runs: signal handlers are the process's, so is this."""


def _stop_exception(signum: int) -> BaseException:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _stop(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    raise _stop_exception(signum)


def raise_if_stopped() -> None:
    """Raise the stop signal the command received, if any, as its handler did when it came."""
    if _received:
        raise _stop_exception(_received[0])


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM, and SIGINT unless it is ignored (a command started in the background), raise
    `Terminated` and KeyboardInterrupt where the command is, and are kept for `raise_if_stopped`."""
    _received.clear()
    handled = [signal.SIGTERM]
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        handled.append(signal.SIGINT)
    previous = {signum: signal.signal(signum, _stop) for signum in handled}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _received.clear()


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
    try:
        with stop_signals():
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
