"""The layers of docs/architecture.md are import-linter contracts (pyproject.toml), run by `make lint`:
they hold on the code, and a wrong import breaks them, naming the contract and the import."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "COLUMNS": "300"},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        REPO / "credit_scoring", tmp_path / "credit_scoring", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    return tmp_path


def _add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_code_keeps_every_contract(copy: Path) -> None:
    result = _lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "said"),
    [
        (
            "scoring/model.py",
            "import credit_scoring.bundle.manifest",
            "credit_scoring.scoring is not allowed to import credit_scoring.bundle",
        ),
        (
            "bundle/store.py",
            "import credit_scoring.training.bundle_writer",
            "credit_scoring.bundle is not allowed to import credit_scoring.training",
        ),
        ("api/routes.py", "import pandas", "credit_scoring.api.routes -> pandas"),
        ("features/application.py", "import sklearn", "credit_scoring.features.application -> sklearn"),
    ],
)
def test_a_wrong_import_breaks_a_contract(copy: Path, module: str, line: str, said: str) -> None:
    _add_import(copy / "credit_scoring" / module, line)
    result = _lint(copy)
    assert result.returncode == 1
    assert said in result.stdout, result.stdout
    assert "0 broken" not in result.stdout
