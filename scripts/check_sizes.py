"""Check the built functions against Lambda's package size limits, after `sam build`.

For each function of the built template: its own code and each of its layers, unzipped and zipped
(deflate, as `sam deploy` packages them), and the function's unzipped total with all its layers.
Lambda refuses a function whose code and layers unzip to more than 250 MB (262,144,000 bytes) and
a zip uploaded directly of more than 50 MB; the project's goal is 120 MB unzipped, for cold start.
Prints a table, warns over the goal, exits 1 over a hard limit.

    python scripts/check_sizes.py [--build-dir .aws-sam/build] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from cfn_template import TemplateError, function_properties, functions, layer_ids, load_template

MB = 1024 * 1024
UNZIPPED_LIMIT_MB = 250.0
UNZIPPED_GOAL_MB = 120.0
ZIP_LIMIT_MB = 50.0


@dataclass(frozen=True)
class Artefact:
    """One zip that `sam deploy` uploads: a function's code or a layer."""

    name: str
    unzipped_bytes: int
    zipped_bytes: int


@dataclass(frozen=True)
class FunctionSize:
    """A function's code and layers, and the unzipped total Lambda checks against its limit."""

    function: str
    artefacts: tuple[Artefact, ...]

    @property
    def unzipped_bytes(self) -> int:
        return sum(artefact.unzipped_bytes for artefact in self.artefacts)


def directory_bytes(path: Path) -> int:
    """Bytes of every regular file under `path` (what the directory unzips to)."""
    return sum(
        (Path(root) / name).lstat().st_size
        for root, _, names in os.walk(path)
        for name in names
        if (Path(root) / name).is_file()
    )


def zipped_bytes(path: Path) -> int:
    """Size of `path` zipped with deflate, written to a temporary file and measured."""
    with tempfile.TemporaryFile() as stream:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for root, _, names in sorted(os.walk(path)):
                for name in sorted(names):
                    file = Path(root) / name
                    archive.write(file, file.relative_to(path))
        return stream.tell()


def measure(build_dir: Path) -> list[FunctionSize]:
    """Sizes of every function of `build_dir/template.yaml` with its layers (each zip measured once)."""
    template_path = build_dir / "template.yaml"
    if not template_path.is_file():
        raise TemplateError(f"{template_path} not found: run `make sam-build` (sam build) first")
    template = load_template(template_path)
    cache: dict[str, Artefact] = {}

    def artefact(logical_id: str, uri_key: str) -> Artefact:
        if logical_id not in cache:
            properties = (
                function_properties(template, logical_id)
                if uri_key == "CodeUri"
                else template["Resources"][logical_id]["Properties"]
            )
            directory = build_dir / properties[uri_key]
            if not directory.is_dir():
                raise TemplateError(f"{logical_id}: built directory {directory} is missing")
            cache[logical_id] = Artefact(logical_id, directory_bytes(directory), zipped_bytes(directory))
        return cache[logical_id]

    sizes = []
    for function in functions(template):
        layers = layer_ids(function_properties(template, function))
        parts = (artefact(function, "CodeUri"), *(artefact(layer, "ContentUri") for layer in layers))
        sizes.append(FunctionSize(function, parts))
    return sizes


def problems(sizes: Sequence[FunctionSize], unzipped_limit_mb: float, zip_limit_mb: float) -> list[str]:
    """Every hard limit exceeded, each naming the function or artefact and both figures."""
    found = []
    for size in sizes:
        if size.unzipped_bytes > unzipped_limit_mb * MB:
            found.append(
                f"{size.function}: code and layers unzip to {size.unzipped_bytes / MB:.1f} MB, "
                f"over Lambda's {unzipped_limit_mb:g} MB"
            )
        found.extend(
            f"{artefact.name}: zip of {artefact.zipped_bytes / MB:.1f} MB, over the {zip_limit_mb:g} MB limit"
            for artefact in size.artefacts
            if artefact.zipped_bytes > zip_limit_mb * MB
        )
    return sorted(set(found))


def render(sizes: Sequence[FunctionSize], goal_mb: float) -> str:
    """A table per function: each artefact's unzipped and zipped MB, then the unzipped total."""
    lines = []
    for size in sizes:
        lines.append(f"{size.function}")
        for artefact in size.artefacts:
            lines.append(
                f"  {artefact.name:<28} {artefact.unzipped_bytes / MB:8.2f} MB unzipped"
                f" {artefact.zipped_bytes / MB:8.2f} MB zipped"
            )
        total = size.unzipped_bytes / MB
        verdict = "within the goal" if total <= goal_mb else f"OVER the {goal_mb:g} MB goal"
        lines.append(f"  {'total unzipped':<28} {total:8.2f} MB ({verdict})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=Path(".aws-sam/build"))
    parser.add_argument("--json", action="store_true", help="print the sizes as JSON instead of a table")
    parser.add_argument("--unzipped-limit-mb", type=float, default=UNZIPPED_LIMIT_MB)
    parser.add_argument("--zip-limit-mb", type=float, default=ZIP_LIMIT_MB)
    parser.add_argument("--goal-mb", type=float, default=UNZIPPED_GOAL_MB)
    args = parser.parse_args(argv)
    try:
        sizes = measure(args.build_dir)
    except TemplateError as error:
        print(f"check_sizes: {error}", file=sys.stderr)
        return 2
    if args.json:
        report = [{**asdict(size), "unzipped_bytes": size.unzipped_bytes} for size in sizes]
        print(json.dumps(report, indent=2))
    else:
        print(render(sizes, args.goal_mb))
    found = problems(sizes, args.unzipped_limit_mb, args.zip_limit_mb)
    for problem in found:
        print(f"check_sizes: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
