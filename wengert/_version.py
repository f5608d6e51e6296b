"""wengert's version, with one source of truth: the `version` in pyproject.toml's [project].

An installed wengert reads it from its package metadata (written from pyproject.toml when it
was built). A source tree that is imported without being installed (a checkout on the path,
or an editable install, whose metadata may be older than the tree) reads pyproject.toml
beside the package instead, so the version shown is always the one of the code running.
"""
import importlib.metadata
import re
from pathlib import Path

__all__ = ["version"]

_PACKAGE_DIR = Path(__file__).resolve().parent
_UNKNOWN = "0+unknown"       # neither metadata nor pyproject.toml: a version that says so


def _pyproject_version(path):
    """The [project] version of the pyproject.toml at `path` if it is wengert's, else None."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        # by name: the type checker targets Python 3.10, where the module does not exist
        tomllib = importlib.import_module("tomllib")         # Python 3.11+
        project = tomllib.loads(text).get("project", {})
        name, found = project.get("name"), project.get("version")
    except ImportError:                    # Python 3.10: the two keys of one table suffice
        table = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
        body = table.group(1) if table else ""
        keys = dict(re.findall(r'^(name|version)\s*=\s*"([^"]*)"', body, re.M))
        name, found = keys.get("name"), keys.get("version")
    return found if name == "wengert" and isinstance(found, str) else None


def _installed_version():
    """The metadata's version when the installed distribution is this copy of the package."""
    try:
        dist = importlib.metadata.distribution("wengert")
    except importlib.metadata.PackageNotFoundError:
        return None
    try:
        installed = Path(str(dist.locate_file("wengert/__init__.py"))).resolve()
    except (OSError, NotImplementedError):
        return None
    return dist.version if installed == _PACKAGE_DIR / "__init__.py" else None


def version():
    """wengert's version string, e.g. ``'0.1.0'``.

    From the package metadata of an installed wengert; for a source tree imported without
    being installed, from the pyproject.toml beside the package.

    Returns
    -------
    str
        The version; ``'0+unknown'`` when neither source exists.

    Examples
    --------
    >>> import wengert as wg
    >>> from wengert._version import version
    >>> version() == wg.__version__
    True
    """
    return (_installed_version() or _pyproject_version(_PACKAGE_DIR.parent / "pyproject.toml")
            or _UNKNOWN)
