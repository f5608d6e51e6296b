"""The documentation site builds in strict mode (any warning fails), and its API reference
shows every public name of every documented module.

CI runs it through the README's test command (`pip install '.[test]'` brings the `docs`
extra); without mkdocs installed it skips.
"""
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# API page (docs/api/<page>.md) -> the module it documents (as in mkdocs.yml).
API_PAGES = {
    "wengert": "wengert", "linalg": "wengert.linalg", "fft": "wengert.fft",
    "special": "wengert.special", "nn": "wengert.nn", "nn-functional": "wengert.nn.functional",
    "optim": "wengert.optim", "lr-scheduler": "wengert.optim.lr_scheduler",
    "utils-data": "wengert.utils.data", "viz": "wengert.viz", "func": "wengert.func",
    "compile": "wengert.compile",
}
# Functions whose names are also those of submodules: their anchors carry the full path.
SHADOWED = {
    "wengert.tensor": "api/wengert/index.html#wengert.creation.tensor",
    "wengert.compile": "api/compile/index.html#wengert.compile.compile",
    "wengert.viz.draw": "api/viz/index.html#wengert.viz.draw.draw",
}


def public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not inspect.ismodule(getattr(module, n, None))]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for name in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(name, reason="the docs extra is not installed: pip install '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    log = done.stdout + done.stderr
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{log}"
    problems = [line for line in log.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not problems, "\n".join(problems)
    return out


@pytest.mark.slow
def test_site_builds_strict_with_every_page(site):
    for page in ("index", "getting-started/index", "four-methods/index", "from-pytorch/index",
                 "from-numpy-jax/index", "ARCHITECTURE/index", "changelog/index"):
        assert (site / f"{page}.html").is_file(), page
    for page in API_PAGES:
        assert (site / "api" / page / "index.html").is_file(), page


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(API_PAGES))
def test_api_page_shows_every_public_name(site, page):
    module_name = API_PAGES[page]
    module = importlib.import_module(module_name)
    html = (site / "api" / page / "index.html").read_text(encoding="utf-8")
    anchors = set(re.findall(r'id="([\w.]+)"', html))
    missing = []
    for name in public_names(module):
        path = f"{module_name}.{name}"
        if path in SHADOWED:
            shown_page, _, anchor = SHADOWED[path].partition("#")
            if anchor not in (site / shown_page).read_text(encoding="utf-8"):
                missing.append(path)
        elif path not in anchors:
            missing.append(path)
    assert not missing, f"not on docs/api/{page}.md: {missing}"


@pytest.mark.slow
def test_readme_sections_are_included(site):
    """The snippets the pages take from the README (between its --8<-- markers) arrive."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for section, page in (("commands", "getting-started"), ("pytorch", "from-pytorch")):
        start = readme.index(f"<!-- --8<-- [start:{section}] -->")
        end = readme.index(f"<!-- --8<-- [end:{section}] -->")
        lines = readme[start:end].splitlines()[1:]              # after the marker itself
        text = "\n".join(line for line in lines if not line.startswith("```"))
        words = re.findall(r"[A-Za-z]{6,}", text)[:5]
        html = (site / page / "index.html").read_text(encoding="utf-8")
        assert words and all(w in html for w in words), (section, words)


@pytest.mark.slow
def test_changelog_and_architecture_are_the_repositorys(site):
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Unreleased" in changelog and "0.1.0" in changelog
    architecture = (site / "ARCHITECTURE" / "index.html").read_text(encoding="utf-8")
    assert "Three objects on the hot path" in architecture
