"""Requirements live in one place (pyproject.toml) and name every package the code imports."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
OWN = {"peercare", "tests", "benchmarks", "conftest"}


def _name(spec: str) -> str:
    return Requirement(spec).name.lower().replace("_", "-")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def declared(extras: tuple[str, ...] = ()) -> set[str]:
    project = _project()
    specs = list(project["dependencies"])
    for extra in extras:
        specs.extend(project["optional-dependencies"][extra])
    return {_name(s) for s in specs}


def imported(folder: str) -> set[str]:
    """Top-level modules imported anywhere under ``folder`` (not stdlib, not our own)."""
    found = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in OWN}


def _missing(modules: set[str], allowed: set[str]) -> list[str]:
    dists = packages_distributions()
    missing = []
    for module in sorted(modules):
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & allowed:
            missing.append(f"{module} (from {sorted(names)})")
    return missing


def test_environment_installs_the_package_and_repeats_no_pin():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == ['-e ".[dev,postgres,hub]"'], pip


def test_every_package_the_kit_imports_is_declared():
    missing = _missing(imported("src"), declared(("postgres",)))
    assert not missing, f"src imports packages pyproject.toml does not declare: {missing}"


def test_every_package_the_tests_import_is_declared():
    allowed = declared(("dev", "postgres"))
    missing = _missing(imported("tests") | imported("benchmarks"), allowed)
    assert not missing, f"tests/benchmarks import undeclared packages: {missing}"


def test_the_postgres_driver_is_an_extra_that_setup_installs():
    assert "psycopg" not in declared()
    assert "psycopg" in declared(("postgres",))
    assert '".[dev,postgres,hub]"' in (ROOT / "Makefile").read_text()


def test_ruff_is_pinned_to_a_range():
    spec = next(s for s in _project()["optional-dependencies"]["dev"] if _name(s) == "ruff")
    assert "<" in str(Requirement(spec).specifier), "ruff needs an upper bound"
