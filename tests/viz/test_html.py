"""wg.viz.to_html / write_html: one self-contained page animating both passes."""
import json
import os
import pathlib
import re
import shutil
import tempfile
import time
from html.parser import HTMLParser

import numpy as np
import pytest

import wengert as wg
from wengert.tape import record

from .seed import seed_graph
from wengert.viz import to_html, write_html


class Page(HTMLParser):
    """Nodes (their data attributes), edges, scripts and every tag's attributes."""

    def __init__(self, text):
        super().__init__()
        self.nodes, self.edges, self.scripts, self.tags = {}, [], [], []
        self._script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "g" and "data-node-id" in a:
            self.nodes[a["data-node-id"]] = a
        elif tag == "path" and "data-to" in a:
            self.edges.append((a["data-from"], a["data-to"], int(a["data-pos"])))
        elif tag == "script":
            self._script = [a, ""]

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None

    def steps(self):
        (text,) = [t for a, t in self.scripts if a.get("id") == "wg-steps"]
        return json.loads(text)


def by_kind(page, kind):
    return [a for a in page.nodes.values() if a["data-kind"] == kind]


def test_page_holds_every_node_with_its_value_and_gradient():
    f, x, y = seed_graph()
    page = Page(to_html(f, title="f = x**2*y + y + 2"))
    leaves = {a["data-name"]: a for a in by_kind(page, "leaf")}
    assert set(leaves) == {"x", "y"}
    assert json.loads(leaves["x"]["data-value"]) == 3.0
    assert json.loads(leaves["x"]["data-grad"]) == x.grad.item() == 24.0
    assert json.loads(leaves["y"]["data-grad"]) == y.grad.item() == 10.0
    ops = sorted(by_kind(page, "op"), key=lambda a: int(a["data-forward-step"]))
    assert [a["data-label"] for a in ops] == ["power", "multiply", "add", "add"]
    assert [json.loads(a["data-value"]) for a in ops] == [9.0, 36.0, 40.0, 42.0]
    assert [json.loads(a["data-grad"]) for a in ops] == [4.0, 1.0, 1.0, 1.0]
    assert [int(a["data-forward-step"]) for a in ops] == [1, 2, 3, 4]
    consts = by_kind(page, "const")
    assert [json.loads(a["data-value"]) for a in consts] == [2.0, 2.0]
    assert all(a["data-grad"] == "" and a["data-backward-step"] == "0" for a in consts)
    # backward: the output first (seed 1), each node after all its users, leaves included
    bsteps = {a["data-node-id"]: int(a["data-backward-step"]) for a in page.nodes.values()}
    assert sorted(v for v in bsteps.values() if v) == [1, 2, 3, 4, 5, 6]
    for src, dst, _ in page.edges:
        if bsteps[src]:
            assert bsteps[dst] < bsteps[src]
    assert len(page.edges) == 8
    steps = page.steps()
    assert len(steps) == 1 + 4 + 6
    assert steps[0]["phase"] == "start" and steps[0]["id"] is None
    assert steps[2]["text"] == "forward 2/4: multiply → 36"
    assert steps[5]["text"] == "backward 1/6: ∂output/∂add = 1 (the seed)"
    last = {s["id"]: s["text"] for s in steps[5:]}
    assert last[leaves["x"]["data-node-id"]].endswith("∂output/∂x = 24")
    assert last[leaves["y"]["data-node-id"]].endswith("∂output/∂y = 10")


def test_page_is_self_contained():
    f, _, _ = seed_graph()
    text = to_html(f)
    page = Page(text)
    assert not [t for t, a in page.tags if "src" in a or ("href" in a and t != "a")]
    assert not [t for t, _ in page.tags if t in ("link", "iframe", "img", "object")]
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls == {"http://www.w3.org/2000/svg"}       # the SVG namespace, never fetched
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text


def test_user_text_is_escaped():
    evil = '</script><script>alert("x")</script>&'
    x = wg.tensor(2.0, requires_grad=True, name=evil)
    with record():
        y = x * 3.0
    y.name = "<i>out</i>"
    y.backward()
    text = to_html(y, title=evil)
    assert evil not in text and "<i>out</i>" not in text
    page = Page(text)
    assert len(page.scripts) == 2                    # the steps data and the player only
    assert [a["data-name"] for a in by_kind(page, "leaf")] == [evil]
    steps = page.steps()
    assert steps[-1]["text"].endswith(f"∂<i>out</i>/∂{evil} = 3")
    assert f"<title>{evil}" not in text


def test_tape_order_and_walk_order():
    x = wg.tensor(np.arange(3.0), requires_grad=True, name="x")
    with record() as tape:
        p = x * 2.0
        q = wg.sin(x)
        r = (q + p).sum()
    r.backward()

    def forward_labels(text):
        ops = by_kind(Page(text), "op")
        return [a["data-label"] for a in sorted(ops, key=lambda a: int(a["data-forward-step"]))]

    assert forward_labels(to_html(r, tape=tape)) == ["multiply", "sin", "add", "sum"]
    walked = forward_labels(to_html(r))
    assert sorted(walked[:2]) == ["multiply", "sin"] and walked[2:] == ["add", "sum"]
    leaf = by_kind(Page(to_html(r)), "leaf")[0]
    assert json.loads(leaf["data-grad"]) == pytest.approx(np.cos(np.arange(3.0)) + 2)


def test_without_tape_or_backward():
    f, _, _ = seed_graph(tape=False, backward=False)
    text = to_html(f)
    assert "Intermediate values were not recorded" in text
    page = Page(text)
    steps = page.steps()
    assert [s["phase"] for s in steps] == ["start"] + ["forward"] * 4     # no gradients yet
    assert "call output.backward()" in steps[0]["text"]
    assert steps[2]["text"] == "forward 2/4: multiply → not recorded"
    assert steps[4]["text"] == "forward 4/4: add → 42"


def test_write_html_and_cap(tmp_path):
    f, _, _ = seed_graph()
    out = write_html(f, tmp_path / "f.html", title="f")
    assert out == tmp_path / "f.html"
    text = (tmp_path / "f.html").read_text(encoding="utf-8")
    assert text == to_html(f, title="f")
    write_html(f, str(tmp_path / "g.html"))
    assert os.path.getsize(tmp_path / "g.html") > 1000

    x = wg.tensor(0.5, requires_grad=True, name="x")
    with record():
        h = x
        for _ in range(3000):
            h = wg.sin(h) + x
    h.backward()
    t = time.perf_counter()
    text = to_html(h, max_nodes=200)
    assert time.perf_counter() - t < 2.0
    page = Page(text)
    assert sum(a["data-kind"] in ("op", "leaf") for a in page.nodes.values()) == 200
    assert "5,801 more are not (max_nodes=200)" in text
    assert by_kind(page, "cut")
    with pytest.raises(ValueError, match="at least 1"):
        to_html(h, max_nodes=0)
    with pytest.raises(TypeError, match="Tensor"):
        to_html(3.0)


# --- the page in a real browser ------------------------------------------------------

STATE_JS = """
return Array.prototype.map.call(document.querySelectorAll('#graph g.node'), function (n) {
  var v = n.querySelector('.val'), g = n.querySelector('.grad');
  return {id: n.getAttribute('data-node-id'), cls: n.getAttribute('class'),
          val: v ? getComputedStyle(v).visibility : null, valText: v ? v.textContent : null,
          grad: g ? getComputedStyle(g).visibility : null, gradText: g ? g.textContent : null};
});
"""


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    if chromium is None or driver_bin is None:
        pytest.skip("headless browser test needs chromium and chromedriver "
                    "(apt install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="wengert-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", f"--user-data-dir={profile}", "--window-size=1200,800"):
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service(driver_bin), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _number(text, word):
    m = re.fullmatch(rf"{word} (\S+)", text.strip())
    return float(m.group(1))


@pytest.mark.slow
def test_stepping_through_the_passes_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    f, x, y = seed_graph()
    path = pathlib.Path(write_html(f, tmp_path / "f.html", title="f = x**2*y + y + 2"))
    page = Page(path.read_text(encoding="utf-8"))
    fwd = {i: int(a["data-forward-step"]) for i, a in page.nodes.items()}
    bwd = {i: int(a["data-backward-step"]) for i, a in page.nodes.items()}
    kind = {i: a["data-kind"] for i, a in page.nodes.items()}
    n_fwd, n_bwd = max(fwd.values()), max(bwd.values())
    total = n_fwd + n_bwd

    browser.get(path.as_uri())
    find = lambda i: browser.find_element(By.ID, i)   # noqa: E731
    assert find("counter").text == f"step 0/{total}"
    assert find("prev").get_attribute("disabled") is not None

    def check(step):
        assert find("counter").text == f"step {step}/{total}"
        state = {s["id"]: s for s in browser.execute_script(STATE_JS)}
        assert set(state) == set(page.nodes)
        for i, s in state.items():
            cls = s["cls"].split()
            computed = kind[i] != "op" or fwd[i] <= step
            graded = 0 < bwd[i] <= step - n_fwd
            assert ("computed" in cls) == computed, (step, i)
            assert (s["val"] == "visible") == computed, (step, i)
            if kind[i] in ("op", "leaf"):
                assert ("has-grad" in cls) == graded, (step, i)
                assert (s["grad"] == "visible") == graded, (step, i)
                assert _number(s["valText"], "value") == json.loads(page.nodes[i]["data-value"])
        desc = find("desc").text
        if 0 < step <= n_fwd:
            (active,) = [i for i in fwd if fwd[i] == step]
            assert desc.startswith(f"forward {step}/{n_fwd}: {page.nodes[active]['data-label']} → ")
            assert "active" in state[active]["cls"].split()
        elif step > n_fwd:
            assert desc.startswith(f"backward {step - n_fwd}/{n_bwd}: ")
        return state

    check(0)
    for step in range(1, total + 1):
        find("next").click()
        state = check(step)
    assert find("next").get_attribute("disabled") is not None
    # every leaf shows the gradient reverse mode computed
    shown = {page.nodes[i]["data-name"]: _number(s["gradText"], "grad")
             for i, s in state.items() if kind[i] == "leaf"}
    assert shown == {"x": x.grad.item(), "y": y.grad.item()} == {"x": 24.0, "y": 10.0}
    assert find("desc").text.endswith(" = 24") or find("desc").text.endswith(" = 10")

    find("prev").click()
    check(total - 1)
    find("prev").click()
    check(total - 2)

    Select(find("speed")).select_by_visible_text("fast")
    find("play").click()
    assert find("play").text == "Pause"
    WebDriverWait(browser, 15, poll_frequency=0.05).until(
        lambda d: d.find_element(By.ID, "counter").text == f"step {total}/{total}")
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "play").text == "Play")
    check(total)
    # Play at the end starts over; Pause stops it part way
    find("play").click()
    WebDriverWait(browser, 10, poll_frequency=0.05).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-step") not in
        ("0", str(total)))
    find("play").click()
    body = browser.find_element(By.TAG_NAME, "body")
    stopped = int(body.get_attribute("data-step"))
    time.sleep(0.4)
    assert int(body.get_attribute("data-step")) == stopped
    assert find("play").text == "Play"
    check(stopped)
