"""Practice mode of the step player (StepPlayer(..., practice=True)): the questions and slips
embedded in the page, and the page in headless Chromium: a wrong number shows the checker's
hint, the right one moves on, the typed answers download as a sheet that `autograd check`
grades."""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest

from autograd.handcalc.generate import assignment, practice_data, practice_player, student_player
from autograd.viz.steps import StepPlayer


def page_data(page: str) -> dict:
    match = re.search(
        r'<script id="autograd-steps" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(match.group(1))


def test_questions_are_every_computed_value_and_every_gradient_but_the_seed():
    a = assignment("a1-sigmoid", "s001", seed=7)
    data = student_player(a).data()
    keys = [q["key"] for q in data["practice"]["questions"].values()]
    assert keys[:2] == ["w1 × x1", "w2 × x2"] and "h" in keys and "y" in keys
    assert "grad:y" not in keys and "grad:w1" in keys and "x1" not in keys  # given, seed
    assert len(keys) == len(set(keys)) == 4 + 8  # 4 values (2 products, h, y); 8 gradients
    q = {q["key"]: q for q in data["practice"]["questions"].values()}
    assert q["y"]["true"] == a.root.data and q["grad:w1"]["true"] == a.nodes["w1"].grad
    # the slips come from the checker: 1 − σ(h) for σ(h), 1 − σ as σ'
    hints = {s["hint"] for s in q["y"]["slips"]} | {s["hint"] for s in q["grad:h"]["slips"]}
    assert any("1 − σ(h) instead of σ(h)" in h for h in hints)
    assert any("uses 1 − σ(h) instead of σ'(h)" in h for h in hints)
    assert "@@grad:w1@@" in data["practice"]["sheet"]["text"]
    # the unnamed steps between get the checker's hints too (not on the sheet: no name there)
    assert any("sign is flipped" in s["hint"] for s in q["grad:w1 × x1"]["slips"])
    assert "w1 × x1" not in data["practice"]["sheet"]["text"]


def test_practice_page_hides_local_derivatives_and_sandbox_allows_the_download():
    player = practice_player("y = tanh(w*x + b)", {"w": 0.5, "x": 1.2, "b": -0.3})
    assert player.style.edge_grads is False
    assert "allow-downloads" in player._repr_html_()
    assert 'id="download"' in player.html()
    assert 'id="download"' not in StepPlayer(player.roots).html()
    with pytest.raises(ValueError, match="for practice=True"):
        StepPlayer(player.roots, answers={})
    with pytest.raises(ValueError, match="not numbers of the graph"):
        StepPlayer(player.roots, practice=True, answers={"grad:zz": {"slips": []}})


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
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

    downloads = tmp_path_factory.mktemp("downloads")
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,720"):  # fmt: skip
        options.add_argument(argument)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    session.downloads = downloads
    yield session
    session.quit()


def test_browser_practice_hint_right_answer_score_download_and_grade(browser, tmp_path, capsys):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    a = assignment("a1-sigmoid", "s001", seed=7)
    path = student_player(a).save(tmp_path / "practice.html")
    browser.get(path.as_uri())
    questions = page_data(path.read_text())["practice"]["questions"]
    slips = practice_data(a)

    def answer(text: str) -> str:
        box = browser.find_element(By.ID, "answer")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        return browser.find_element(By.ID, "feedback").text

    steps = len(page_data(path.read_text())["steps"])
    hinted = []
    for s in range(steps):
        assert browser.find_element(By.ID, "counter").text == f"Step {s + 1} of {steps}"
        q = questions.get(str(s))
        if q is None:
            assert not browser.find_elements(By.ID, "answer")
            browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
            continue
        # the number is hidden until answered: not on the card
        prompt = browser.find_element(By.CSS_SELECTOR, ".question .prompt").text
        assert q["text"] not in prompt and prompt.endswith("= ?"), prompt
        if q["key"] in ("y", "grad:h"):
            # a known slip: the page shows the checker's hint for it
            slip = next(s for s in slips[q["key"]]["slips"] if "1 − σ(h)" in s["hint"])
            feedback = answer(slip["value"])
            assert slip["hint"] in feedback, feedback
            hinted.append(q["key"])
            assert answer("0.1").startswith("Write it with 3 decimals")
        feedback = answer(q["text"])
        assert feedback.startswith("Right"), (q, feedback)
        browser.find_element(By.ID, "answer").send_keys(Keys.ENTER)  # Enter again: next step
    assert hinted == ["y", "grad:h"]
    score = browser.find_element(By.ID, "score").text
    assert score.startswith(f"Score: {len(questions)} of {len(questions)} right"), score
    browser.find_element(By.ID, "download").click()
    sheet = browser.downloads / "s001-sheet.toml"
    for _ in range(50):
        if sheet.exists() and sheet.stat().st_size:
            break
        time.sleep(0.1)
    from autograd.cli import main

    assert main(["check", "--claims", str(sheet)]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "all 8 claims ok" in out  # h, y and 6 gradients: the sheet's


def test_browser_precision_rule_is_the_checkers(browser, tmp_path):
    """The page's comparison agrees with autograd.handcalc.precision.matches on ties,
    negative numbers, many decimals and random pairs."""
    import random

    from autograd.handcalc.precision import matches

    path = practice_player("y = w*x", {"w": 0.5, "x": 1.5}).save(tmp_path / "p.html")
    browser.get(path.as_uri())
    rng = random.Random(0)
    cases = [("0.33", 0.335), ("0.33", 0.3350001), ("0.34", 0.335), ("-0.915", -0.9145),
             ("1.000", 0.9995), ("0.666", 0.6665), ("2.370", 2.37)]  # fmt: skip
    for _ in range(300):
        true = rng.uniform(-5, 5)
        digits = rng.randint(1, 5)
        cases.append((f"{true + rng.choice([-1, 0, 1]) * 10**-digits / 2:.{digits}f}", true))
    verdicts = browser.execute_script(
        "var r = window.autogradPracticeRule;"
        "return arguments[0].map(function (c) {"
        "  var d = r.decimalsOf(c[0]);"
        "  return r.close(parseFloat(c[0]), c[1], Math.pow(10, -d)); });",
        [list(c) for c in cases],
    )
    assert verdicts == [matches(text, true) for text, true in cases]


def test_browser_practice_card_fits_1280x720(browser, tmp_path):
    """The answer box, the feedback and the buttons are in view at 1280×720 (A3, the largest
    course graph), with a hint shown."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    a = assignment("a3", "s001", seed=7)
    path = student_player(a).save(tmp_path / "a3.html")
    browser.set_window_size(1280, 720)
    browser.get(path.as_uri())
    while not browser.find_elements(By.ID, "answer"):
        browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
    browser.find_element(By.ID, "answer").send_keys("123.456", Keys.ENTER)
    height = browser.execute_script("return window.innerHeight")
    for element in ("answer", "check", "reveal", "feedback", "download", "score"):
        rect = browser.find_element(By.ID, element).rect
        assert 0 <= rect["y"] and rect["y"] + rect["height"] <= height, (element, rect, height)
    assert browser.find_element(By.ID, "feedback").text.startswith("Not yet")


def test_browser_unknowns_are_typed_as_expressions_and_graded_by_the_checker(browser, capsys):
    """With t left unknown the numbers it reaches are expressions: the page saves what is
    typed (it cannot compare expressions) and the downloaded sheet is graded symbolically."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from autograd.cli import main

    path = browser.downloads / "unknowns.html"
    player = practice_player("e = y - t; C = e**2", {"y": 0.7, "t": "?"})
    player.save(path)
    browser.get(path.as_uri())
    questions = player.data()["practice"]["questions"]
    typed = {"e": "0.7 - t", "C": "(0.7 - t)**2", "grad:e": "1.4 - 2*t",
             "grad:y": "1.400 - 2*t", "grad:t": "2*t - 1.4"}  # fmt: skip
    typed["grad:y"] = "1.4 + 2*t"  # wrong: the checker says so when the sheet is graded
    assert {q["key"] for q in questions.values()} == set(typed)
    steps = len(player.data()["steps"])
    for s in range(steps):
        q = questions.get(str(s))
        if q is None:
            browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
            continue
        assert q["expression"]
        browser.find_element(By.ID, "answer").send_keys(typed[q["key"]], Keys.ENTER)
        assert browser.find_element(By.ID, "feedback").text.startswith("Saved")
        browser.find_element(By.ID, "answer").send_keys(Keys.ENTER)
    assert "5 expressions saved for the checker" in browser.find_element(By.ID, "score").text
    browser.find_element(By.ID, "download").click()
    sheet = browser.downloads / "answer-sheet.toml"
    for _ in range(50):
        if sheet.exists() and sheet.stat().st_size:
            break
        time.sleep(0.1)
    assert 't = "?"' in sheet.read_text()
    assert main(["check", "--claims", str(sheet)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"grad:y\s+1.4 \+ 2\*t\s+1.400 - 2·t\s+WRONG", out), out
    assert "1 of 5 claims wrong" in out
