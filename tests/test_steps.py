"""The step-through player (autograd/viz/steps.py): the page's data and self-containment, and
the page itself in a real headless browser (Debian's chromium + chromium-driver, via selenium).

Expected numbers come from the engine (``node.data``, ``node.grad``, ``node.local_grads`` after
one ``backward()``), formatted like the diagram; the player computes its own backward pass, so
these tests compare two independent computations.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from autograd import exercises
from autograd.engine import Value, sum_values
from autograd.viz.dot import graph_nodes
from autograd.viz.format import format_number
from autograd.viz.steps import StepPlayer, build_steps, hand_order, save_steps


def fmt(x: float) -> str:
    return format_number(x, 3)


def square() -> tuple[Value, Value]:
    """y = x * x at x = 3: one node with two edges into the same child."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    return x, y


def page_data(page: str) -> dict:
    match = re.search(
        r'<script id="autograd-steps" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, "the page embeds its steps as JSON"
    return json.loads(match.group(1))


def ancestors(output: Value) -> set:
    seen, stack = set(), [output]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.parents)
    return seen


# --- the page without a browser ---------------------------------------------------------------


def test_page_is_self_contained_and_holds_the_diagram():
    root = exercises.a3().output
    page = StepPlayer(root).html()
    # No resource from the network: no src/href to a URL, no <link>, no CSS url()/@import.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    assert "<!DOCTYPE svg" not in page  # the SVG DOCTYPE names a remote DTD
    assert page.count("<svg") == 1
    for i in range(len(graph_nodes(root))):
        assert f'<g id="n{i}"' in page
    assert "<script src" not in page


def test_steps_are_forward_nodes_then_backward_nodes_with_the_engines_grads():
    root = exercises.a3().output
    order = graph_nodes(root)
    data = page_data(StepPlayer(root).html())
    steps = data["steps"]
    assert len(steps) == 2 * len(order)  # one output: every node is in the backward pass
    assert [s["node"] for s in steps[: len(order)]] == list(range(len(order)))
    assert [s["node"] for s in steps[len(order) :]] == list(range(len(order) - 1, -1, -1))
    assert {s["phase"] for s in steps[: len(order)]} == {"forward"}
    for step in steps[len(order) :]:
        node = order[step["node"]]
        assert step["phase"] == "backward"
        assert step["grad"] == fmt(node.grad)
        assert step["sum"].endswith(" = " + fmt(node.grad))
        for edge, parent, local in zip(step["outgoing"], node.parents, node.local_grads):
            assert order[edge["to"]] is parent
            assert (edge["upstream"], edge["local"]) == (fmt(node.grad), fmt(local))
            assert edge["contribution"] == fmt(node.grad * local)
    for i, node in enumerate(order):
        assert data["nodes"][i]["value"] == fmt(node.data)
        assert data["nodes"][i]["grad"] == fmt(node.grad)


def test_raw_grads_equal_the_engine_for_every_exercise():
    for exercise in exercises.part_a():
        order = graph_nodes(exercise.output)
        grads = build_steps(exercise.output)["raw_grads"]
        assert grads == pytest.approx([node.grad for node in order], rel=1e-12, abs=1e-15)


def test_shared_node_contributions_add_up():
    a = Value(1.5, label="a")
    y = a + a
    y.label = "y"
    y.backward()
    steps = build_steps(y)["steps"]
    last = steps[-1]
    assert last["node"] == 0 and len(last["incoming"]) == 2
    assert last["sum"] == f"grad(a) = {fmt(1.0)} + {fmt(1.0)} = {fmt(a.grad)}"
    assert a.grad == 2.0


@pytest.mark.parametrize(
    "make, line",
    [
        (lambda a, b, c: (a + b) * c, "(a + b) × c"),
        (lambda a, b, c: a * b + c, "a × b + c"),
        (lambda a, b, c: a - (b - c), "a - (b - c)"),
        (lambda a, b, c: (a - b) - c, "a - b - c"),
        (lambda a, b, c: a / (b * c), "a ÷ (b × c)"),
        (lambda a, b, c: (a + b) ** 2, "(a + b)²"),
        (lambda a, b, c: (a + b).tanh() * c, "tanh(a + b) × c"),
        (lambda a, b, c: sum_values([a * b, c]).elu(alpha=0.1), "ELU(a × b + c, α=0.1)"),
    ],
)
def test_unlabelled_nodes_are_named_by_their_expression(make, line):
    a, b, c = Value(1.0, label="a"), Value(2.0, label="b"), Value(-3.0, label="c")
    y = make(a, b, c)
    y.backward()
    data = build_steps(y)
    assert data["nodes"][-1]["name"] == line
    assert data["steps"][len(data["nodes"]) - 1]["lines"][-1] == f"= {fmt(y.data)}"


def test_several_roots_backward_from_their_sum_or_the_output_asked_for():
    x = Value(2.0, label="x")
    w1, w2 = Value(0.5, label="w1"), Value(-1.5, label="w2")
    y1, y2 = (x * w1).tanh(), (x * w2).sigmoid()
    y1.label, y2.label = "y1", "y2"
    order = graph_nodes([y1, y2])
    data = build_steps([y1, y2])  # as draw([y1, y2]) shows them: ∂(y1 + y2)/∂node
    assert len(data["steps"]) == 2 * len(order)
    (y1 + y2).backward()
    assert data["raw_grads"] == pytest.approx([node.grad for node in order])
    outputs = [s for s in data["steps"] if s["phase"] == "backward" and "the output" in s["note"]]
    assert [s["node"] for s in outputs] == [order.index(y2), order.index(y1)]
    # One output on request: the other branch has no gradient to show.
    for node in order:
        node.grad = 0.0
    y1.backward()
    data1 = build_steps([y1, y2], output=y1)
    needed = ancestors(y1)
    assert len(data1["steps"]) == len(order) + len(needed)
    for node, grad, info in zip(order, data1["raw_grads"], data1["nodes"]):
        if node in needed:
            assert grad == pytest.approx(node.grad)
        else:
            assert info["grad"] is None
    assert build_steps([y1, y2], output=y2)["output"] == order.index(y2)


def test_player_grads_do_not_accumulate_like_leaf_grads():
    x, y = square()
    expected = build_steps(y)["raw_grads"]
    y.backward()  # the leaf x now holds 12 (accumulated), the player still shows dy/dx = 6
    assert x.grad == 12.0
    assert build_steps(y)["raw_grads"] == expected


def test_labels_cannot_break_out_of_the_script():
    x = Value(1.0, label="</script><script>alert(1)</script>")
    y = x.exp()
    y.backward()
    page = StepPlayer(y).html()
    assert page.lower().count("</script>") == 2  # the data's and the player's own
    assert page_data(page)["nodes"][0]["name"] == x.label


def test_tensor_like_nodes_are_refused_with_a_clear_message():
    np = pytest.importorskip("numpy")

    class Node:
        parents, op, label, params, grad = (), "", "W", None, None
        data = np.zeros((2, 3))

    with pytest.raises(TypeError, match=r"scalar graphs.*'W'.*shape \(2, 3\)"):
        StepPlayer(Node())


def test_save_is_atomic(tmp_path, monkeypatch):
    _, y = square()
    path = tmp_path / "steps.html"
    assert save_steps(y, path) == path
    first = path.read_text(encoding="utf-8")
    assert first.startswith("<!DOCTYPE html>")
    assert os.listdir(tmp_path) == ["steps.html"]

    with pytest.raises(ValueError, match=r"\.html"):
        save_steps(y, tmp_path / "steps.svg")
    assert os.listdir(tmp_path) == ["steps.html"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_steps(y, tmp_path / "missing" / "steps.html")

    def fail_while_writing(self, text):
        raise OSError("disk full")

    class Broken:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        write = fail_while_writing

    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Broken(real_fdopen(fd, *a, **k)))
    with pytest.raises(OSError, match="disk full"):
        save_steps(y, path)
    assert os.listdir(tmp_path) == ["steps.html"]  # no temp file left behind
    assert path.read_text(encoding="utf-8") == first  # the old page is intact


def test_repr_html_is_an_isolated_iframe():
    _, y = square()
    shown = StepPlayer(y)._repr_html_()
    assert shown.startswith("<iframe srcdoc=")
    assert 'sandbox="allow-scripts"' in shown
    assert "<script" not in shown  # escaped inside srcdoc, run only in the iframe
    assert "&lt;script" in shown


def test_numbers_follow_the_styles_decimals():
    from autograd.viz.style import Style

    _, y = square()
    data = page_data(StepPlayer(y, Style(decimals=1)).html())
    assert data["nodes"][1]["value"] == "9.0"
    assert data["steps"][-1]["sum"] == "grad(x) = 3.0 + 3.0 = 6.0"


# --- the page in a real browser ---------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip(
            "the browser test needs Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # NOTE: CI runs as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    session = webdriver.Chrome(service=Service(driver), options=options)
    yield session
    session.quit()


class Page:
    """What the page shows, read from the rendered DOM."""

    def __init__(self, driver):
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.driver, self.By, self.Keys, self.Actions = driver, By, Keys, ActionChains

    def texts(self, selector: str) -> list[str]:
        return [e.text for e in self.driver.find_elements(self.By.CSS_SELECTOR, selector)]

    def one(self, selector: str) -> str:
        (text,) = self.texts(selector)
        return text

    def click(self, button: str) -> None:
        self.driver.find_element(self.By.ID, button).click()

    def key(self, name: str) -> None:
        self.Actions(self.driver).send_keys(getattr(self.Keys, name)).perform()

    @property
    def counter(self) -> str:
        return self.one("#counter")

    @property
    def node(self) -> str:
        return self.driver.find_element(self.By.ID, "panel").get_attribute("data-node")

    @property
    def phase(self) -> str:
        return self.driver.find_element(self.By.ID, "panel").get_attribute("data-phase")

    def grad_cell(self, node_id: str) -> tuple[str, str]:
        """(text, class) of a value node's gradient cell in the SVG."""
        text, classes = self.driver.execute_script(
            "var g = document.getElementById(arguments[0]);"
            "var t = g.querySelectorAll('text'); t = t[t.length - 1];"
            "return [t.textContent, t.getAttribute('class') || ''];",
            node_id,
        )
        return text, classes

    def classes(self, element_id: str) -> str:
        return self.driver.find_element(self.By.ID, element_id).get_attribute("class")


def test_browser_steps_through_x_times_x(browser, tmp_path):
    x, y = square()
    assert x.grad == 2 * x.data  # d(x²)/dx = 2x: the engine's number checked by hand first
    path = tmp_path / "square.html"
    save_steps(y, path)
    browser.get(path.as_uri())
    page = Page(browser)
    assert browser.title == "Forward and backward pass of y"

    # Forward: x, then y = x × x. Gradients are hidden until the backward pass reaches them.
    assert page.counter == "Step 1 of 4" and page.phase == "forward" and page.node == "n0"
    assert page.texts(".forward-calc .line") == [f"x = {fmt(x.data)}"]
    assert "hidden-text" in page.grad_cell("n0")[1]
    assert "current" in page.classes("n0")
    assert browser.find_element(page.By.ID, "prev").get_attribute("disabled") == "true"

    page.click("next")
    assert page.counter == "Step 2 of 4" and page.node == "n1"
    assert page.one("#step-title .name") == "y"
    assert page.texts(".forward-calc .line") == [
        "y = x × x",
        f"= {fmt(x.data)} × {fmt(x.data)}",
        f"= {fmt(y.data)}",
    ]
    assert "current" in page.classes("n1") and "related" in page.classes("n0")

    # Backward at y: the seed, then upstream × local = contribution on both edges into x.
    page.key("ARROW_RIGHT")
    assert page.counter == "Step 3 of 4" and page.phase == "backward" and page.node == "n1"
    assert page.one(".sum") == f"grad(y) = ∂y/∂y = {fmt(y.grad)}"
    calc = f"{fmt(y.grad)} × {fmt(y.local_grads[0])} = {fmt(y.grad * y.local_grads[0])}"
    assert page.texts(".outgoing .calc") == [calc, calc]
    assert page.grad_cell("n1") == (fmt(y.grad), "")
    text, classes = page.grad_cell("n0")  # x has both contributions: complete, not "so far"
    assert text == fmt(x.grad) and "partial-text" not in classes
    asides = page.texts(".outgoing .aside")
    assert asides[0].endswith("so far: " + fmt(y.local_grads[0]))
    assert asides[1] == f"grad(x) = {fmt(x.grad)} (complete)"

    # Backward at x: the two contributions add up.
    page.click("next")
    contribution = fmt(y.grad * y.local_grads[0])
    assert page.counter == "Step 4 of 4" and page.node == "n0"
    assert page.one(".sum") == f"grad(x) = {contribution} + {contribution} = {fmt(x.grad)}"
    assert page.texts(".incoming .calc") == [calc, calc]
    assert page.grad_cell("n0") == (fmt(x.grad), "")
    assert browser.find_element(page.By.ID, "next").get_attribute("disabled") == "true"

    # Back, and the ends.
    page.key("ARROW_LEFT")
    assert page.counter == "Step 3 of 4" and page.node == "n1" and page.phase == "backward"
    assert "partial-text" not in page.grad_cell("n0")[1]  # complete after its last term
    page.key("HOME")
    assert page.counter == "Step 1 of 4" and "hidden-text" in page.grad_cell("n1")[1]
    page.key("END")
    assert page.counter == "Step 4 of 4"
    page.click("first")
    assert page.counter == "Step 1 of 4"
    assert browser.get_log("browser") == []  # no script errors


def test_browser_walks_a4_with_the_engines_numbers(browser, tmp_path):
    exercise = exercises.a4()
    root = exercise.output
    order = graph_nodes(root)
    hand = hand_order(root)
    path = tmp_path / "a4.html"
    StepPlayer(root).save(path)
    browser.get(path.as_uri())
    page = Page(browser)
    constants = [n for n in order if not n.parents and not n.label]
    assert len(constants) == 1  # the 2 of 2xy: drawn without a gradient, no backward step
    total = 2 * len(order) - len(constants)
    children: dict = {}
    for node in order:
        for parent, local in zip(node.parents, node.local_grads):
            children.setdefault(parent, []).append(fmt(node.grad * local))

    seen_shared = 0
    for step in range(total):
        if step:
            page.key("ARROW_RIGHT")
        assert page.counter == f"Step {step + 1} of {total}"
        node = order[int(page.node[1:])]
        assert "current" in page.classes(page.node)
        if step < len(order):
            assert page.phase == "forward" and page.node == f"n{order.index(hand[step])}"
            assert page.texts(".forward-calc .line")[-1].endswith(fmt(node.data))
            continue
        assert page.phase == "backward"
        head, *terms_and_total = page.one(".sum").split(" = ")
        assert terms_and_total[-1] == fmt(node.grad)
        if len(children.get(node, [])) > 1:  # x and y are used twice: the sum is spelled out
            seen_shared += 1
            assert sorted(terms_and_total[0].split(" + ")) == sorted(children[node])
        expected = [
            f"{fmt(node.grad)} × {fmt(local)} = {fmt(node.grad * local)}"
            for local in node.local_grads
        ]
        assert page.texts(".outgoing .calc") == expected
        assert page.grad_cell(page.node)[0] == fmt(node.grad)
    assert seen_shared == 2
    assert exercise.nodes["x"].grad == 2 * 2.0 + 2 * 3.0  # ∂f/∂x = 2x + 2y at (2, 3)
    page.key("ARROW_LEFT")
    assert page.counter == f"Step {total - 1} of {total}"
    assert browser.get_log("browser") == []


def test_browser_runs_the_notebook_iframe(browser, tmp_path):
    x, y = square()
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body><p>notebook output:</p>"
        + StepPlayer(y)._repr_html_()
        + "</body></html>",
        encoding="utf-8",
    )
    browser.get(host.as_uri())
    frame = browser.find_element(Page(browser).By.TAG_NAME, "iframe")
    browser.switch_to.frame(frame)
    try:
        page = Page(browser)
        assert page.counter == "Step 1 of 4"
        page.click("last")
        c = fmt(y.grad * y.local_grads[0])
        assert page.one(".sum") == f"grad(x) = {c} + {c} = {fmt(x.grad)}"
        page.key("ARROW_LEFT")
        assert page.counter == "Step 3 of 4"
    finally:
        browser.switch_to.default_content()
    assert browser.get_log("browser") == []


def test_player_is_a_snapshot_and_refuses_large_graphs_up_front():
    from autograd.viz import GraphTooLarge
    from autograd.viz.style import Style

    x, y = square()
    player = StepPlayer(y)
    before = player.html()
    x.data = 5.0  # changing the graph afterwards does not change the page
    assert player.html() == before
    chain = Value(0.5, label="x0")
    for _ in range(30):
        chain = chain.tanh()
    chain.backward()
    with pytest.raises(GraphTooLarge):
        StepPlayer(chain, Style(max_nodes=10))


def test_a_single_leaf_has_one_step_each_way():
    x = Value(2.0, label="x")
    x.backward()
    data = page_data(StepPlayer(x).html())
    assert [s["phase"] for s in data["steps"]] == ["forward", "backward"]
    assert data["steps"][1]["sum"] == f"grad(x) = ∂x/∂x = {fmt(1.0)}"


# --- issue 12: derivations, hand order, layout ------------------------------------------------
def test_each_edge_says_where_its_local_derivative_comes_from():
    e = exercises.a1("sigmoid")
    data = build_steps(e.output)
    whys = [edge["why"] for step in data["steps"] if step["phase"] == "backward"
            for edge in step["outgoing"]]  # fmt: skip
    y = e.nodes["y"].data
    assert f"σ'(h) = σ(h) × (1 - σ(h)) = {fmt(y)} × (1 - {fmt(y)}) = {fmt(y * (1 - y))}" in whys
    assert "∂h/∂b = 1" in whys
    assert f"∂(w1 × x1)/∂w1 = x1 = {fmt(2.8)}" in whys
    tanh = build_steps(exercises.a1("tanh").output)
    assert any("tanh'(h) = 1 - tanh(h)² = 1 - " in edge["why"] for step in tanh["steps"]
               if step["phase"] == "backward" for edge in step["outgoing"])  # fmt: skip


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda x: (x * x).exp(), "exp'(x × x) = exp(x × x) = 9.488"),
        (lambda x: (x + 1.0).log(), "ln'(x + 1) = 1 ÷ (x + 1) = 1 ÷ 2.500 = 0.400"),
        (lambda x: x**2, "∂y/∂x = 2 × x = 2 × 1.500 = 3.000"),
        (lambda x: x**3, "∂y/∂x = 3 × x² = 3 × 1.500² = 6.750"),
        (lambda x: 1.0 / x, "∂y/∂x = −1 ÷ x² = −1.000 ÷ 1.500² = -0.444"),
        (lambda x: (-x).elu(alpha=0.1), "as −x ≤ 0: ELU'(−x) = 0.1 × exp(−x) = 0.1 × exp(-"),
        (lambda x: (-x).leaky_relu(alpha=0.1), "as −x ≤ 0: LeakyReLU'(−x) = 0.1 = 0.100"),
    ],
)
def test_local_derivative_formulas_of_the_ops(make, expected):
    x = Value(1.5, label="x")
    y = make(x)
    y.label = "y"
    whys = [edge["why"] for step in build_steps(y)["steps"] if step["phase"] == "backward"
            for edge in step["outgoing"]]  # fmt: skip
    assert any(why.startswith(expected) for why in whys), whys


def test_forward_steps_follow_hand_order():
    """The series network: the first neuron (that makes a) before the second neuron's w3."""
    e = exercises.a3_series()
    data = build_steps(e.output)
    names = [data["nodes"][s["node"]]["name"] for s in data["steps"] if s["phase"] == "forward"]
    assert names.index("a") < names.index("w3")
    assert names[:3] == ["w1", "x1", "w1 × x1"]
    order = graph_nodes(e.output)
    assert names[0] != data["nodes"][0]["name"] == "w3"  # the diagram's numbering differs
    assert sorted(s["node"] for s in data["steps"][: len(order)]) == list(range(len(order)))


def test_a_leaf_used_once_gets_its_final_gradient():
    data = build_steps(exercises.a1("sigmoid").output)
    edges = [edge for step in data["steps"] if step["phase"] == "backward"
             for edge in step["outgoing"]]  # fmt: skip
    assert all(edge["last"] for edge in edges)  # every input of A1 is used once
    x, y = square()
    edges = [edge for step in build_steps(y)["steps"] if step["phase"] == "backward"
             for edge in step["outgoing"]]  # fmt: skip
    assert [edge["last"] for edge in edges] == [False, True]  # x × x: x's first term is partial


def viewport(browser, width, height):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


RECT = "var r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom];"


def test_browser_layout_at_1280x720_keeps_the_current_node_and_card_in_view(browser, tmp_path):
    for name in ("a3", "a2", "a3_series"):
        exercise = getattr(exercises, name)()
        path = tmp_path / f"{name}.html"
        save_steps(exercise.output, path)
        viewport(browser, 1280, 720)
        try:
            browser.get(path.as_uri())
            page = Page(browser)
            total = int(page.counter.split()[-1])
            find = browser.find_element
            for step in range(total):
                if step:
                    page.key("ARROW_RIGHT")
                size = browser.execute_script(
                    "return [document.documentElement.scrollHeight, innerHeight, scrollY];"
                )
                assert size[0] <= size[1] + 1 and size[2] == 0, (name, step, size)
                node = find(page.By.ID, page.node)
                left, top, right, bottom = browser.execute_script(RECT, node)
                box = browser.execute_script(RECT, find(page.By.ID, "diagram"))
                assert box[0] <= left and right <= box[2], (name, step, "x")
                assert box[1] <= top and bottom <= box[3], (name, step, "y")
                panel = browser.execute_script(RECT, find(page.By.ID, "panel"))
                assert panel[3] <= 720 and panel[2] <= 1280
            # readable: the node text is drawn at 11 pt, about 14 px
            height = browser.execute_script(
                "return document.querySelector('#diagram g.node text').getBoundingClientRect()"
                ".height;"
            )
            assert height >= 12
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert browser.get_log("browser") == []


def test_browser_edges_wait_for_their_values_and_outputs_dim(browser, tmp_path):
    e = exercises.a1("sigmoid")
    path = tmp_path / "a1.html"
    save_steps(e.output, path)
    browser.get(path.as_uri())
    page = Page(browser)
    order = graph_nodes(e.output)
    y = order.index(e.nodes["y"])
    # step 1: nothing computed but w1: y's edge label and its op-to-result edge wait
    assert "unlabelled" in page.classes(f"op{y}-in0")
    assert "future" in page.classes(f"op{y}-out")
    page.click("last")
    assert "unlabelled" not in page.classes(f"op{y}-in0")
    assert "future" not in page.classes(f"op{y}-out")
    # the local derivative is explained in the card
    page.click("first")
    for _ in range(len(order)):
        page.key("ARROW_RIGHT")
    assert page.node == f"n{y}" and page.phase == "backward"
    s = e.nodes["y"].data
    assert page.texts(".outgoing .why") == [
        f"local: σ'(h) = σ(h) × (1 - σ(h)) = {fmt(s)} × (1 - {fmt(s)}) = {fmt(s * (1 - s))}"
    ]
    assert browser.get_log("browser") == []


def test_browser_notebook_frame_keeps_text_readable_and_the_node_in_view(browser, tmp_path):
    exercise = exercises.a3()
    host = tmp_path / "notebook.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="width:880px"><p>notebook output:</p>'
        + StepPlayer(exercise.output)._repr_html_()
        + "</body></html>",
        encoding="utf-8",
    )
    viewport(browser, 1280, 720)
    try:
        browser.get(host.as_uri())
        browser.switch_to.frame(browser.find_element(Page(browser).By.TAG_NAME, "iframe"))
        page = Page(browser)
        total = int(page.counter.split()[-1])
        for step in range(total):
            if step:
                page.key("ARROW_RIGHT")
            if step % 5:
                continue
            node = browser.find_element(page.By.ID, page.node)
            left, top, right, bottom = browser.execute_script(RECT, node)
            box = browser.execute_script(RECT, browser.find_element(page.By.ID, "diagram"))
            assert box[0] <= left and right <= box[2] and box[1] <= top and bottom <= box[3]
            frame_height = browser.execute_script("return innerHeight;")
            assert box[3] <= frame_height + 1
        height = browser.execute_script(
            "return document.querySelector('#diagram g.node text').getBoundingClientRect().height;"
        )
        assert height >= 12  # not the 8 px of a diagram shrunk to the frame's width
    finally:
        browser.switch_to.default_content()
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert browser.get_log("browser") == []


def test_browser_steps_through_a3_with_unknown_targets(browser, tmp_path):
    pytest.importorskip("sympy")
    e = exercises.a3()
    path = tmp_path / "a3_unknown.html"
    save_steps(e.output, path, symbols=[e.nodes["t1"], e.nodes["t2"]])
    browser.get(path.as_uri())
    page = Page(browser)
    order = graph_nodes(e.output)
    b1 = order.index(e.nodes["b1"])
    page.click("last")
    while page.node != f"n{b1}":
        page.key("ARROW_LEFT")
    assert page.phase == "backward" and "t1" in page.one(".sum")
    assert "t1" in page.grad_cell(f"n{b1}")[0]
    assert browser.get_log("browser") == []
