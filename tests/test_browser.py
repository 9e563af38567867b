"""The views in a real browser: Playwright driving Debian's Chromium (installed by `make browser`).

These tests fail, not skip, when Chromium or Playwright is missing: an untested view is a broken view.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

import kg
from conftest import ROOT, run_kg
from test_viz import evil_store, make_store, synthetic_graph

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "out" / "screenshots"

XSS_TEXT = """测试省开发区攻坚行动方案<script>window.pwned=1</script>

一、主要任务

1.推进“一网通办</script><script>window.pwned=2</script>”改革。测试高新区<script>window.pwned=1</script>推进“一网通办</script><script>window.pwned=2</script>”改革,实现企业办事不出园区<img src=x onerror="window.pwned=3">。(牵头单位:省测试厅<script>window.pwned=1</script>;责任单位:省工信厅、省科技厅</script><script>window.pwned=2</script>)

2.强化测试机制<img src=x onerror="window.pwned=3">。健全开发区考核评价机制<img src=x onerror="window.pwned=3">。(责任单位:省发改委<img src=x onerror="window.pwned=3">、省商务厅)

江西测试高新区<script>window.pwned=1</script>位于赣州市,引进了测试科技有限公司</script><script>window.pwned=2</script>的测试项目<img src=x onerror="window.pwned=3">。测试高新区<script>window.pwned=1</script>全面推进“证照分离”改革,与江西理工大学<img src=x onerror="window.pwned=3">开展合作。
"""


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Opened:
    """A page with every request and script error it produced."""

    def __init__(self, browser, path: Path, wait: bool = True):
        self.url = path.resolve().as_uri()
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests, self.errors = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.started = time.perf_counter()
        self.page.goto(self.url)
        if wait:
            self.page.wait_for_function("window.kgReady === true", timeout=60_000)
        self.ready = time.perf_counter() - self.started

    def outside(self) -> list[str]:
        return [u for u in self.requests if u != self.url and not u.startswith("data:")]

    def eval(self, js: str, arg=None):
        return self.page.evaluate(js, arg)

    def close(self):
        self.page.close()


def _shot(op: Opened, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / name
    op.page.screenshot(path=str(out))
    print(f"screenshot: {out}")
    return out


# An edge to click: long, with no node near its middle, zoomed in on; returns its page position.
PICK_EDGE = """() => {
  const net = window.network, pos = net.getPositions(), ids = net.body.data.edges.getIds();
  let best = null;
  for (const id of ids) {
    const e = net.body.data.edges.get(id), a = pos[e.from], b = pos[e.to];
    if (!a || !b || e.from === e.to) continue;
    const m = {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2}, len = Math.hypot(a.x - b.x, a.y - b.y);
    const clear = Object.values(pos).every(p => Math.hypot(p.x - m.x, p.y - m.y) > 40);
    if (clear && (!best || len > best.len)) best = {id, m, len};
  }
  net.moveTo({position: best.m, scale: 1.5});
  const dom = net.canvasToDOM(best.m), box = document.querySelector("#net canvas").getBoundingClientRect();
  return {id: best.id, x: box.left + dom.x, y: box.top + dom.y};
}"""

NODE_AT = """(id) => { const net = window.network, p = net.getPositions([id])[id];
  const dom = net.canvasToDOM(p), box = document.querySelector("#net canvas").getBoundingClientRect();
  return {x: box.left + dom.x, y: box.top + dom.y}; }"""


@pytest.fixture(scope="module")
def seed_page(built_store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("view") / "graph.html"
    run_kg("viz", "--store", built_store, "--output", out, check=True)
    return out


def test_seed_view_offline_with_every_class_legend_and_edge_evidence(browser, seed_page):
    op = Opened(browser, seed_page)
    print(f"seed view ready after {op.ready:.2f} s")
    assert op.outside() == [] and op.errors == []
    classes = op.eval("window.kg.data.classes")
    drawn = op.eval("[...new Set(window.network.body.data.nodes.get().map(n => n.group))]")
    assert set(drawn) == set(classes) and len(classes) >= 3
    legend = op.eval("[...document.querySelectorAll('#legend [data-cls]')].map(s => s.dataset.cls)")
    assert legend == classes
    assert op.page.locator("#legend").is_visible()
    # physics has stabilised and stopped: nothing moves any more
    assert op.eval("window.network.physics.physicsEnabled") is False
    still = op.eval("""() => new Promise(done => { const a = window.network.getPositions();
        setTimeout(() => { const b = window.network.getPositions();
          done(Object.keys(a).every(k => a[k].x === b[k].x && a[k].y === b[k].y)); }, 500); })""")
    assert still
    _shot(op, "seed-graph.png")

    edge = op.eval(PICK_EDGE)
    op.page.mouse.click(edge["x"], edge["y"])
    op.page.wait_for_function("document.querySelectorAll('#details .sent').length > 0", timeout=5_000)
    expected = op.eval("""(i) => { const D = window.kg.data, e = D.edges[i];
        return D.edges.filter(f => (f.s === e.s && f.o === e.o) || (f.s === e.o && f.o === e.s))
                      .flatMap(f => f.ev.map(v => D.sentences[v[0]])); }""", edge["id"])
    shown = op.eval("[...document.querySelectorAll('#details .sent')].map(d => d.textContent)")
    assert expected and set(shown) & set(expected), (shown, expected)
    assert ".txt" in op.page.locator("#details").inner_text()
    _shot(op, "seed-graph-edge.png")
    assert op.outside() == [] and op.errors == []
    op.close()


def test_seed_view_search_filters_and_hover(browser, seed_page):
    op = Opened(browser, seed_page)
    n0 = op.eval("window.kg.data.nodes[0]")
    # search: the most central entity is found and its relations listed
    op.page.fill("#search", n0["label"])
    op.page.locator("#results div").first.click()
    assert op.page.locator("#details h4").first.inner_text() == n0["label"]
    # hover: the tooltip shows label and class as text
    at = op.eval(NODE_AT, n0["id"])
    op.page.mouse.move(at["x"], at["y"])
    op.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    tip = op.page.locator("div.vis-tooltip").inner_text()
    assert n0["label"] in tip and n0["cls"] in tip
    # class filter (legend) and relation filter (checkboxes)
    count = "window.network.body.data.nodes.length"
    before = op.eval(count)
    op.page.locator(f"#legend [data-cls={n0['cls']}]").click()
    assert op.eval(count) == before - op.eval(f"window.kg.data.counts['{n0['cls']}']")
    op.page.locator(f"#legend [data-cls={n0['cls']}]").click()
    assert op.eval(count) == before
    rel = op.eval("Object.keys(window.kg.data.relations)[0]")
    edges = "window.network.body.data.edges.length"
    e_before = op.eval(edges)
    op.page.locator(f"#relations input[data-rel={rel}]").uncheck()
    assert op.eval(edges) == e_before - op.eval(f"window.kg.data.relations['{rel}']")
    assert op.outside() == [] and op.errors == []
    op.close()


@pytest.fixture(scope="module")
def xss_stores(tmp_path_factory) -> dict[str, Path]:
    """The payload document built by the real pipeline, and a store with the payload in every field."""
    base = tmp_path_factory.mktemp("xss")
    corpus = base / "corpus"
    corpus.mkdir()
    (corpus / 'plan<img src=x onerror="window.pwned=4">.txt').write_text(XSS_TEXT, encoding="utf-8")
    run_kg("build", corpus, "--store", base / "built", check=True)
    return {"built": base / "built", "synthetic": evil_store(base / "synthetic")}


@pytest.mark.parametrize("source", ["built", "synthetic"])
@pytest.mark.parametrize("view", ["graph", "diffusion", "responsibility"])
def test_document_markup_never_runs(browser, xss_stores, tmp_path, source, view):
    out = tmp_path / f"{view}.html"
    run_kg("viz", "--store", xss_stores[source], "--output", out, "--view", view, check=True)
    reached = "window.pwned" in out.read_text(encoding="utf-8")
    print(f"{source} {view}: payload {'present' if reached else 'absent'} in the page")
    if source == "synthetic" or view == "graph":
        assert reached, "the payload never reached the page, so nothing was tested"
    op = Opened(browser, out, wait=view == "graph")
    if view == "graph":
        # Show every node and edge in the details panel, hover a node whose document name is hostile.
        op.eval("() => { const D = window.kg.data; D.nodes.forEach(n => window.kg.showNode(n.id));"
                " D.edges.forEach((e, i) => window.kg.showEdge(i)); }")
        victim = op.eval("window.kg.data.nodes.find(n => n.docs.length && n.x !== undefined).id")
        op.eval("(id) => window.kg.showNode(id)", victim)
        assert "<img src=x" in op.page.locator("#details").inner_text()
        op.eval("window.network.fit()")
        at = op.eval(NODE_AT, victim)
        op.page.mouse.move(at["x"], at["y"])
        op.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        assert "onerror" in op.page.locator("div.vis-tooltip").inner_text()
        op.page.fill("#search", "测试")
    op.page.wait_for_timeout(300)    # give any injected handler the chance to fire
    assert op.eval("window.pwned") is None
    assert op.eval("document.querySelectorAll('#details img, #details script, td img, th img').length") == 0
    assert op.outside() == [], op.outside()
    op.close()


def test_five_thousand_entities_become_interactive_quickly(browser, tmp_path):
    ents, rels = synthetic_graph(5000)
    store = make_store(tmp_path / "store", ents, rels)
    t = time.perf_counter()
    info = kg.visualise(store, tmp_path / "big.html")
    written = time.perf_counter() - t
    op = Opened(browser, tmp_path / "big.html")
    # interactive = drawn and a click on the most central entity shows its relations
    first = op.eval("window.kg.data.nodes[0]")
    at = op.eval(NODE_AT, first["id"])
    op.page.mouse.click(at["x"], at["y"])
    op.page.wait_for_function("(l) => document.querySelector('#details h4')?.textContent === l",
                              arg=first["label"], timeout=60_000)
    interactive = time.perf_counter() - op.started
    print(f"5,000-entity view: written in {written:.2f} s ({info}); ready after {op.ready:.2f} s; "
          f"interactive (click answered) after {interactive:.2f} s")
    assert interactive < 60
    assert info["nodes"] == 5000 and info["drawn"] < 5000
    assert f"{5000 - info['drawn']} not drawn" in op.page.locator("#note").inner_text()
    _shot(op, "synthetic-5000.png")
    # expanding: a double-click draws the neighbours that were left out
    drawn = "window.network.body.data.nodes.length"
    before = op.eval(drawn)
    hub = op.eval("window.kg.data.nodes.find(n => n.x !== undefined && "
                  "window.kg.data.edges.some(e => (e.s === n.id && !window.kg.data.nodes[e.o].x) ||"
                  " (e.o === n.id && !window.kg.data.nodes[e.s].x))).id")
    at = op.eval(NODE_AT, hub)
    op.page.mouse.dblclick(at["x"], at["y"])
    assert op.eval(drawn) > before
    # search reaches an entity that was not drawn
    last = op.eval("window.kg.data.nodes[window.kg.data.nodes.length - 1]")
    op.page.fill("#search", last["label"])
    op.page.press("#search", "Enter")
    assert op.eval(f"window.network.body.data.nodes.get({last['id']}) !== null")
    assert op.outside() == [] and op.errors == []
    op.close()
