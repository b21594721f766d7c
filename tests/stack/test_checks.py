"""The checks that keep the code in shape run where they should: `make typecheck` reaches every
service, `make test` enforces the coverage floor, and CI runs both."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

from .stackrun import ROOT


def planned(*targets: str, **variables: str) -> str:
    """The commands `make` would run, without running them."""
    assigned = [f"{name}={value}" for name, value in variables.items()]
    result = subprocess.run(["make", "-n", *targets, *assigned], cwd=ROOT, capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_typecheck_reaches_every_service_with_its_own_imports_resolved() -> None:
    mypy = next(line for line in planned("typecheck").splitlines() if " mypy " in line)
    services = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("services/*/src"))
    assert services and "shared/src" in mypy
    for src in services:
        assert f" {src}" in mypy, src  # checked
        assert src in mypy.split("MYPYPATH=", 1)[1].split()[0]  # its imports resolved


def test_the_whole_suite_fails_under_the_coverage_floor_a_part_of_it_does_not() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert settings["tool"]["coverage"]["report"]["fail_under"] > 0
    assert "--cov" in planned("test")
    assert "--cov" not in planned("test", PYTEST_ARGS="-k projection")


def test_ci_runs_ruff_and_mypy_before_the_tests() -> None:
    script = Path(ROOT / ".ci" / "run").read_text().splitlines()
    assert script.index("make lint typecheck") < script.index("make test")
    check = next(line for line in (ROOT / "Makefile").read_text().splitlines()
                 if line.startswith("check:"))
    assert check.split("##")[0].split() == ["check:", "lint", "typecheck", "test"]
