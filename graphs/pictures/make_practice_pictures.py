"""The README's pictures of the teacher's loop (issue 20): one student's blank graph and their
practice page showing a hint. Regenerate with
.venv/bin/python graphs/pictures/make_practice_pictures.py (needs chromium, chromium-driver)."""

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from autograd.handcalc.generate import assignment, blank_trace, practice_data, student_player
from autograd.viz import draw

HERE = Path(__file__).resolve().parent
student = assignment("a1-sigmoid", "s001", seed=7)  # the README's example class

blank = draw(student.root, trace=blank_trace(student), title="a1-sigmoid for s001", dpi=70)
blank.save(HERE / "practice_blank_graph.png")

page = Path(tempfile.mkdtemp()) / "practice.html"
student_player(student).save(page)
options = Options()
options.binary_location = shutil.which("chromium")
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,640"):
    options.add_argument(argument)
browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
try:
    browser.get(page.as_uri())
    data = practice_data(student)
    truths = browser.execute_script(
        "return JSON.parse(document.getElementById('autograd-steps').textContent)"
        ".practice.questions"
    )
    for step in range(20):  # answer every question before y = σ(h), stepping on with Enter
        box = browser.find_elements(By.ID, "answer")
        if not box:
            browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        elif truths[str(step)]["key"] == "y":
            break
        else:
            box[0].send_keys(truths[str(step)]["text"], Keys.ENTER, Keys.ENTER)
    slip = next(s for s in data["y"]["slips"] if "1 − σ(h)" in s["hint"])
    browser.find_element(By.ID, "answer").send_keys(slip["value"], Keys.ENTER)
    browser.save_screenshot(str(HERE / "practice_page.png"))
finally:
    browser.quit()
