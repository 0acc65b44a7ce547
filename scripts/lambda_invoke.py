"""Invoke a function built by `sam build` locally, without Docker, the way the Lambda runtime would.

    python scripts/lambda_invoke.py events/http-v2-get-health.json [--function ScoringApiFunction]

The function is the one whose template events match the event's source (HTTP API, S3 or SQS),
unless --function names it. From the built template come its handler, timeout, memory, layers and
environment variables (intrinsics resolved with the parameters' defaults, --param overrides and a
local stack's name, account and region). A fresh interpreter, isolated from this one's
site-packages and writing no bytecode (Lambda's /var/task and /opt are read-only), then imports the
handler from the function's built code and calls it once, with:

- the layers merged in order into an emulated /opt (later layers win, as in Lambda), on sys.path
  as /opt/python, and environment values under /opt (MODEL_DIR=/opt/model) pointed at it;
- the runtime's own packages (boto3, which the python3.12 runtime provides) from a local cache;
- the AWS_* credentials, region and endpoint of this environment (e.g. a moto server), as Lambda
  passes the function's role credentials.

A layer's compiled packages are built for CPython 3.12 on Linux x86_64. When this interpreter
cannot load them (another version or platform), the layer's requirements.txt, the same pins, is
installed for this interpreter into .aws-sam/invoke-deps/ and put ahead of the layer on sys.path:
our own code still comes from the built layer and function, the third-party packages are the same
versions built for this host. docs/deployment.md says what this does and does not prove.

Prints the handler's response as JSON, and Lambda's REPORT line (init and invoke durations, cold
start from process start, peak memory) on stderr; --json prints all of it as one JSON document.
Exit status: 0 answered, 1 the function failed (init error, exception, timeout), 2 bad usage.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.machinery
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from cfn_template import (
    LocalStack,
    Resolver,
    TemplateError,
    function_properties,
    functions,
    layer_ids,
    load_template,
)

from credit_scoring.lambda_events import is_http_event, is_s3_object_created, is_scheduled_event, is_sqs_event

SCRIPTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPTS_DIR.parent
BOOTSTRAP = SCRIPTS_DIR / "lambda_bootstrap.py"
# What the python3.12 runtime provides besides the standard library, pinned for the emulation.
RUNTIME_REQUIREMENTS = SCRIPTS_DIR / "lambda_runtime_requirements.txt"
LAMBDA_PYTHON = "3.12"
INIT_LIMIT_S = 10.0
OPT = "/opt"
# An extension module's file name carries the interpreter it was built for.
_EXTENSION_TAG = re.compile(r"\.(cpython-\d+[a-z]*-[^.]+|abi3)\.so$")
# Event source → the template event types of the functions that receive it.
_EVENT_TYPES = {"http": {"HttpApi", "Api"}, "s3": {"S3"}, "sqs": {"SQS"}, "schedule": {"Schedule"}}
_EVENT_SOURCES = {
    "http": is_http_event,
    "s3": is_s3_object_created,
    "sqs": is_sqs_event,
    "schedule": is_scheduled_event,
}
# Environment of the invoking shell that Lambda would also give the function (its role's credentials).
_PASSED_THROUGH = re.compile(r"^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|ENDPOINT_URL\w*)$")


class InvokeError(Exception):
    """Bad usage or a build that cannot be run: the message names the file, function or layer."""


def event_source(event: Any) -> str:
    """ "http", "s3", "sqs" or "schedule" by the functions' own event recognition
    (`credit_scoring.lambda_events`); raises InvokeError for anything else."""
    if isinstance(event, Mapping):
        for source, recognises in _EVENT_SOURCES.items():
            if recognises(event):
                return source
    raise InvokeError(
        "the event is neither an API Gateway request, an S3 or SQS event nor a scheduled one: give --function"
    )


def choose_function(template: Mapping[str, Any], event: Any, requested: str | None) -> str:
    """The function named by --function, else the one whose template events match the event."""
    names = functions(template)
    if requested:
        if requested not in names:
            raise InvokeError(f"no function {requested} in the template; functions: {', '.join(names)}")
        return requested
    wanted = _EVENT_TYPES[event_source(event)]
    matching = [
        name
        for name in names
        if any(
            spec.get("Type") in wanted and _filter_matches(spec, event)
            for spec in function_properties(template, name).get("Events", {}).values()
        )
    ]
    if len(matching) != 1:
        raise InvokeError(
            f"{len(matching)} functions receive {'/'.join(sorted(wanted))} events: give --function"
        )
    return matching[0]


def _filter_matches(spec: Mapping[str, Any], event: Any) -> bool:
    """Whether an S3 event's first key has the prefix the function's S3 event filters on (every other
    event type has no filter here)."""
    rules = spec.get("Properties", {}).get("Filter", {}).get("S3Key", {}).get("Rules", [])
    prefixes = [rule["Value"] for rule in rules if rule.get("Name") == "prefix"]
    if spec.get("Type") != "S3" or not prefixes:
        return True
    key = event["Records"][0].get("s3", {}).get("object", {}).get("key", "")
    return any(unquote_plus(key).startswith(prefix) for prefix in prefixes)


def merge_layers(layer_dirs: Sequence[Path], opt: Path) -> None:
    """Build `opt` as Lambda extracts layers into /opt: in order, a later layer's file wins.

    Symbolic links, not copies: a directory only one layer provides is one link, and a directory
    two layers share (python/) becomes a real directory holding links to both layers' entries.
    """
    opt.mkdir(parents=True)
    for layer in layer_dirs:
        _link_tree(layer, opt)


def _link_tree(source: Path, target: Path) -> None:
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if entry.is_dir() and destination.is_dir():
            if destination.is_symlink():
                earlier = destination.resolve()
                destination.unlink()
                destination.mkdir()
                _link_tree(earlier, destination)
            _link_tree(entry, destination)
            continue
        if destination.is_symlink() or destination.exists():
            if destination.is_dir() and not destination.is_symlink():
                shutil.rmtree(destination)
            else:
                destination.unlink()
        destination.symlink_to(entry.resolve(), target_is_directory=entry.is_dir())


def foreign_extensions(python_dir: Path) -> list[Path]:
    """Extension modules under `python_dir` that this interpreter cannot load (built for another)."""
    loadable = {suffix for suffix in importlib.machinery.EXTENSION_SUFFIXES if suffix != ".so"}
    foreign = []
    for path in python_dir.rglob("*.so"):
        match = _EXTENSION_TAG.search(path.name)
        if match and f".{match.group(1)}.so" not in loadable:
            foreign.append(path)
    return foreign


def host_packages(requirements: Path, cache_root: Path, label: str) -> Path:
    """`requirements` installed for this interpreter into a cache keyed by its content and the host.

    Installed beside the cache directory and renamed when complete, so that an interrupted install
    is never used; pip's own cache makes a reinstall quick.
    """
    host = f"{sys.implementation.cache_tag}-{sys.platform}-{os.uname().machine}"
    digest = hashlib.sha256(requirements.read_bytes() + host.encode()).hexdigest()[:12]
    target = cache_root / f"{label}-{digest}"
    if target.is_dir():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=cache_root))
    # No bytecode: Lambda's /opt is read-only, so the runtime compiles every module at each cold start.
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",
        "--no-compile",
    ]
    completed = subprocess.run(
        [*command, "--target", str(partial), "--requirement", str(requirements)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise InvokeError(
            f"installing {requirements} for this interpreter failed:\n{completed.stderr.strip()}"
        )
    try:
        partial.rename(target)
    except OSError:
        # Another invocation installed the same set meanwhile: use its copy.
        shutil.rmtree(partial, ignore_errors=True)
        if not target.is_dir():
            raise
    return target


@dataclass(frozen=True)
class Invocation:
    """Everything the emulated runtime needs, and the paths it was given (for the report)."""

    spec: dict[str, Any]
    environment: dict[str, str]
    host_packages: tuple[str, ...]


def prepare(
    build_dir: Path,
    source_template: Path,
    event: Any,
    function: str | None,
    stack: LocalStack,
    overrides: Mapping[str, str],
    workdir: Path,
    deps_cache: Path | None = None,
) -> Invocation:
    """Resolve the function, merge its layers into `workdir`/opt, build its runtime spec."""
    built_path = build_dir / "template.yaml"
    if not built_path.is_file():
        raise InvokeError(f"{built_path} not found: run `make sam-build` (sam build) first")
    built = load_template(built_path)
    source = load_template(source_template)
    name = choose_function(built, event, function)
    properties = function_properties(built, name)
    resolver = Resolver(built, stack)
    runtime = properties.get("Runtime")
    if runtime != f"python{LAMBDA_PYTHON}":
        raise InvokeError(f"{name}: runtime {runtime!r}; this emulation is of python{LAMBDA_PYTHON}")

    layers = layer_ids(properties)
    # Per invocation, so that concurrent invocations of one build never share (or remove) an /opt.
    opt = workdir / "opt"
    merge_layers([build_dir / built["Resources"][layer]["Properties"]["ContentUri"] for layer in layers], opt)

    cache_root = deps_cache or build_dir.parent / "invoke-deps"
    replaced = []
    for layer in layers:
        python_dir = build_dir / built["Resources"][layer]["Properties"]["ContentUri"] / "python"
        if python_dir.is_dir() and foreign_extensions(python_dir):
            content_uri = source["Resources"][layer]["Properties"]["ContentUri"]
            requirements = source_template.parent / content_uri / "requirements.txt"
            if not requirements.is_file():
                raise InvokeError(
                    f"{layer} holds compiled packages for another interpreter and {requirements} is missing"
                )
            replaced.append(str(host_packages(requirements, cache_root, layer)))
    runtime_packages = str(host_packages(RUNTIME_REQUIREMENTS, cache_root, "python3.12-runtime"))

    sys_path = [
        str(build_dir / properties["CodeUri"]),
        *replaced,
        str(opt / "python" / "lib" / f"python{LAMBDA_PYTHON}" / "site-packages"),
        str(opt / "python"),
        runtime_packages,
    ]
    variables = resolver.resolve(properties.get("Environment", {}).get("Variables", {}))
    variables.update(overrides)
    timeout = int(resolver.resolve(properties.get("Timeout", 3)))
    memory = int(resolver.resolve(properties.get("MemorySize", 128)))
    function_name = f"{stack.name}-{name}"
    log_group = f"/aws/lambda/{function_name}"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": stack.region,
        "AWS_DEFAULT_REGION": stack.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{LAMBDA_PYTHON}",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(timeout),
        "AWS_LAMBDA_LOG_GROUP_NAME": log_group,
        "LAMBDA_TASK_ROOT": str(build_dir / properties["CodeUri"]),
        **{key: value for key, value in os.environ.items() if _PASSED_THROUGH.match(key)},
        **{key: _local_opt(str(value), opt) for key, value in variables.items()},
    }
    spec = {
        "handler": properties["Handler"],
        "sys_path": sys_path,
        "event": event,
        "function_name": function_name,
        "function_arn": f"arn:aws:lambda:{stack.region}:{stack.account_id}:function:{function_name}",
        "memory_mb": memory,
        "timeout_s": timeout,
        "log_group_name": log_group,
    }
    return Invocation(spec, environment, tuple(replaced))


def _local_opt(value: str, opt: Path) -> str:
    """A value naming a path under /opt, pointed at the emulated /opt instead."""
    if value == OPT or value.startswith(OPT + "/"):
        return str(opt) + value.removeprefix(OPT)
    return value


def invoke(invocation: Invocation, workdir: Path) -> dict[str, Any]:
    """Run the emulated runtime in a fresh process; the result with its cold-start time added."""
    spec_path, result_path = workdir / "spec.json", workdir / "result.json"
    spec_path.write_text(json.dumps(invocation.spec), encoding="utf-8")
    limit = INIT_LIMIT_S + invocation.spec["timeout_s"]
    started = time.perf_counter()
    try:
        # The result file says how the invocation went; the process's output is the function's log.
        subprocess.run(
            [sys.executable, "-I", "-S", "-B", str(BOOTSTRAP), str(spec_path), str(result_path)],
            env=invocation.environment,
            stdout=sys.stderr,
            timeout=limit,
            cwd=invocation.spec["sys_path"][0],
        )
    except subprocess.TimeoutExpired:
        message = f"Task timed out after {limit:.0f} seconds"
        return {"phase": "timeout", "error": {"errorType": "Sandbox.Timedout", "errorMessage": message}}
    cold_start_ms = (time.perf_counter() - started) * 1000
    if not result_path.is_file():
        message = "the runtime process ended without a result"
        return {"phase": "crash", "error": {"errorType": "Runtime.ExitError", "errorMessage": message}}
    result = json.loads(result_path.read_text(encoding="utf-8"))
    result["cold_start_ms"] = cold_start_ms
    return result


def report_line(function: str, result: Mapping[str, Any]) -> str:
    """Lambda's REPORT line, with the cold start (process start → response) added."""
    parts = [f"REPORT {function}"]
    for key, label in (
        ("init_ms", "Init Duration"),
        ("invoke_ms", "Duration"),
        ("cold_start_ms", "Cold start"),
    ):
        if key in result:
            parts.append(f"{label}: {result[key]:.1f} ms")
    if "max_memory_mb" in result:
        parts.append(f"Max Memory Used: {result['max_memory_mb']:.0f} MB")
    return "\t".join(parts)


def _read_event(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvokeError(f"{path}: cannot be read ({error.strerror or error})") from None
    except json.JSONDecodeError as error:
        raise InvokeError(f"{path}: not JSON ({error})") from None


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise InvokeError(f"{option} {value!r}: expected KEY=VALUE")
        pairs[key] = rest
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("event", type=Path, help="event JSON file (e.g. events/http-v2-get-health.json)")
    parser.add_argument("--function", help="logical id of the function (default: the one the event is for)")
    parser.add_argument("--build-dir", type=Path, default=Path(".aws-sam/build"))
    parser.add_argument("--template", type=Path, default=REPO_ROOT / "template.yaml", help="source template")
    parser.add_argument("--stack-name", default=LocalStack.name)
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="parameter override"
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="environment override"
    )
    parser.add_argument(
        "--deps-cache", type=Path, help="host packages cache (default: <build dir>/../invoke-deps)"
    )
    parser.add_argument("--json", action="store_true", help="print response and figures as one JSON document")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lambda-invoke-") as workdir:
        try:
            event = _read_event(args.event)
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or LocalStack.region
            stack = LocalStack(name=args.stack_name, region=region, parameters=_pairs(args.param, "--param"))
            invocation = prepare(
                args.build_dir.resolve(),
                args.template.resolve(),
                event,
                args.function,
                stack,
                _pairs(args.env, "--env"),
                Path(workdir),
                args.deps_cache.resolve() if args.deps_cache else None,
            )
        except (InvokeError, TemplateError) as error:
            print(f"lambda_invoke: {error}", file=sys.stderr)
            return 2
        result = invoke(invocation, Path(workdir))
    function = invocation.spec["function_name"]
    if args.json:
        print(
            json.dumps({"function": function, "host_packages": invocation.host_packages, **result}, indent=2)
        )
    else:
        print(json.dumps(result["error"] if result.get("error") else result["response"], indent=2))
        print(report_line(function, result), file=sys.stderr)
    return 1 if result.get("error") else 0


if __name__ == "__main__":
    sys.exit(main())
