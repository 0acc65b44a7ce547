"""The emulated Lambda runtime: one cold start and one invocation, in the process it is run in.

Started by `scripts/lambda_invoke.py` as `python -I -S -B lambda_bootstrap.py SPEC RESULT`:
isolated and without site-packages, so that nothing but the paths the spec lists (the function's
code, the layers as merged under the emulated /opt, the runtime's own packages) can be imported, as
in Lambda; and writing no bytecode, as on Lambda's read-only code directories. Standard library
only. The init phase (importing the handler's module) and the invocation are timed separately, like
Lambda's REPORT line; the result is written as JSON to RESULT, so that whatever the function prints
stays its log.
"""

from __future__ import annotations

import importlib
import json
import logging
import resource
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Any


class LambdaContext:
    """The context object the Python runtime passes to a handler (the attributes it documents)."""

    def __init__(self, spec: dict[str, Any], deadline: float) -> None:
        self.function_name = spec["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec["function_arn"]
        self.memory_limit_in_mb = int(spec["memory_mb"])
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = spec["log_group_name"]
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _error(error: BaseException) -> dict[str, Any]:
    """The error document Lambda returns for an exception that escapes the handler.

    The stack trace starts below this runtime's own frame, at the function's code, as Lambda's does.
    """
    frames = error.__traceback__.tb_next if error.__traceback__ else None
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_tb(frames),
    }


def run(spec: dict[str, Any]) -> dict[str, Any]:
    """Import the handler (init), call it once with the event (invoke); durations in milliseconds."""
    sys.path[:0] = spec["sys_path"]
    # The runtime logs through a root handler of its own, in its text format, to the function's log.
    logging.basicConfig(stream=sys.stderr, format="[%(levelname)s]\t%(asctime)s\t%(name)s\t%(message)s")
    module_name, _, function_name = spec["handler"].rpartition(".")
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as error:  # an init failure is reported, as Lambda reports Runtime.ImportModuleError
        return {"phase": "init", "error": _error(error), "init_ms": (time.perf_counter() - started) * 1000}
    init_ms = (time.perf_counter() - started) * 1000
    context = LambdaContext(spec, time.monotonic() + float(spec["timeout_s"]))
    started = time.perf_counter()
    try:
        response, error = handler(spec["event"], context), None
    except Exception as raised:  # the handler's exception is the invocation's result, as in Lambda
        response, error = None, _error(raised)
    invoke_ms = (time.perf_counter() - started) * 1000
    return {
        "phase": "invoke",
        "request_id": context.aws_request_id,
        "response": response,
        "error": error,
        "init_ms": init_ms,
        "invoke_ms": invoke_ms,
        # ru_maxrss is in kilobytes on Linux.
        "max_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    spec_path, result_path = sys.argv[1:3]
    result = run(json.loads(Path(spec_path).read_text(encoding="utf-8")))
    Path(result_path).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
