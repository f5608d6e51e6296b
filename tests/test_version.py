"""wg.__version__ and `wengert --version` agree with pyproject.toml, the one source of truth."""
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import wengert as wg
from wengert import _version
from wengert.cli import main

ROOT = Path(__file__).resolve().parents[1]


def pyproject_version():
    """Read independently of wengert._version: the [project] table's version line."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = re.search(r"^\[project\]\s*$(.*?)(?=^\[)", text, re.M | re.S).group(1)
    return re.search(r'^version\s*=\s*"([^"]+)"', table, re.M).group(1)


def test_dunder_version_is_pyprojects():
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", wg.__version__)
    assert wg.__version__ == pyproject_version()


def test_cli_version(capsys):
    code = main(["--version"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out == f"wengert {pyproject_version()}\n"


def test_cli_version_in_a_fresh_process():
    done = subprocess.run([sys.executable, "-m", "wengert", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wengert {pyproject_version()}"


def test_installed_command_version():
    """The console script of an installed wengert (CI installs '.[test]'), whose version comes
    from the package metadata."""
    exe = shutil.which("wengert", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("wengert is not installed in this environment (no `wengert` command)")
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=120,
                          cwd=Path(sys.executable).parent)   # not the source tree's cwd
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wengert {pyproject_version()}"


def test_metadata_of_this_copy_is_used(monkeypatch):
    dist = types.SimpleNamespace(version="9.9.9",
                                 locate_file=lambda p: _version._PACKAGE_DIR.parent / p)
    monkeypatch.setattr(_version.importlib.metadata, "distribution", lambda name: dist)
    assert _version.version() == "9.9.9"


def test_metadata_of_another_copy_is_not_used(monkeypatch, tmp_path):
    """An older wengert installed elsewhere must not lend its version to this source tree."""
    dist = types.SimpleNamespace(version="0.0.1", locate_file=lambda p: tmp_path / p)
    monkeypatch.setattr(_version.importlib.metadata, "distribution", lambda name: dist)
    assert _version.version() == pyproject_version()


def test_no_metadata_reads_pyproject(monkeypatch):
    def missing(name):
        raise _version.importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(_version.importlib.metadata, "distribution", missing)
    assert _version.version() == pyproject_version()


def test_neither_source_says_unknown(monkeypatch, tmp_path):
    def missing(name):
        raise _version.importlib.metadata.PackageNotFoundError(name)
    monkeypatch.setattr(_version.importlib.metadata, "distribution", missing)
    monkeypatch.setattr(_version, "_PACKAGE_DIR", tmp_path / "wengert")
    assert _version.version() == "0+unknown"


@pytest.mark.parametrize("without_tomllib", [False, True])
def test_pyproject_reader(monkeypatch, tmp_path, without_tomllib):
    if without_tomllib:                       # Python 3.10's path
        monkeypatch.setitem(sys.modules, "tomllib", None)
    assert _version._pyproject_version(ROOT / "pyproject.toml") == pyproject_version()
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "other"\nversion = "3.0"\n')
    assert _version._pyproject_version(other) is None       # another project's file
    assert _version._pyproject_version(tmp_path / "missing.toml") is None
    mine = tmp_path / "p2.toml"
    mine.write_text('[tool.x]\nversion = "7"\n[project]\nname = "wengert"\nversion = "1.2.3"\n'
                    '[project.urls]\nSource = "x"\n')
    assert _version._pyproject_version(mine) == "1.2.3"
