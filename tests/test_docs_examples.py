"""The examples on the documentation site's pages (docs/*.md) are true.

Every ```pycon block runs as a doctest, the blocks of one page in order in one namespace (as
a reader would type them). Every ```console block whose command is `wengert grad …` runs
through the command line's main() and must print exactly what the page shows. So the numbers
on the pages are the numbers the code gives.
"""
import doctest
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from wengert.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


def blocks(page, lang):
    """(line number, body) of each fenced block of the given language on the page."""
    text = page.read_text(encoding="utf-8")
    for m in FENCE.finditer(text):
        if m.group("lang") == lang:
            yield text.count("\n", 0, m.start("body")) + 1, m.group("body")


def test_the_pages_have_examples():
    names = {p.name for p in PAGES}
    assert {"getting-started.md", "four-methods.md", "from-numpy-jax.md"} <= names
    for name in ("getting-started.md", "four-methods.md", "from-numpy-jax.md"):
        assert len(list(blocks(DOCS / name, "pycon"))) >= 3, name


@pytest.mark.parametrize("page", [p for p in PAGES if list(blocks(p, "pycon"))],
                         ids=lambda p: p.name)
def test_pycon_blocks(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)              # an example that writes a file writes it here
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    globs = {"__name__": "__docs__"}
    report = []
    with np.printoptions(legacy=False):
        for lineno, body in blocks(page, "pycon"):
            test = parser.get_doctest(body, globs, f"{page.name}:{lineno}", str(page), lineno)
            runner.run(test, out=report.append, clear_globs=False)
            globs = test.globs                   # (a DocTest runs in a copy of its globs)
    failed, tried = runner.failures, runner.tries
    assert tried > 0
    assert failed == 0, "".join(report)


CLI_BLOCKS = [(p, n, b) for p in PAGES for n, b in blocks(p, "console")
              if b.startswith("$ wengert grad ")]


@pytest.mark.parametrize("page, lineno, body", CLI_BLOCKS,
                         ids=[f"{p.name}:{n}" for p, n, _ in CLI_BLOCKS])
def test_console_blocks(page, lineno, body, capsys):
    command, _, shown = body.partition("\n")
    argv = shlex.split(command.removeprefix("$ wengert "))
    if "--no-symbolic" not in argv:
        pytest.importorskip("sympy")
    assert main(argv) == 0
    out, _ = capsys.readouterr()
    assert out == shown, f"{page.name}:{lineno}: the page shows\n{shown}\nthe command prints\n{out}"


def test_console_blocks_are_found():
    assert any(p.name == "four-methods.md" for p, _, _ in CLI_BLOCKS)
