"""The web explorer: its API, and a real browser moving a slider."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import uvicorn
from selenium.webdriver.support.ui import WebDriverWait

from escalade.report.explorer import create_app
from escalade.scenario import load, shipped_scenarios
from tests.report.conftest import SCREENSHOTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    path = shipped_scenarios()["dprk_russia_2024"]
    app = create_app(load(path), Path(path).read_text())
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not running.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    running.should_exit = True
    thread.join(timeout=10)


def post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_solving_at_a_point_answers_quickly_and_follows_the_parameters(server):
    start = time.perf_counter()
    status, low = post(server + "/api/solve", {"values": {"p_reveal_combat": 0.2}})
    assert status == 200 and time.perf_counter() - start < 1.0
    _, high = post(server + "/api/solve", {"values": {"p_reveal_combat": 0.95}})
    assert high["expected_escalation"] > low["expected_escalation"]
    assert low["max_regret"] <= 1e-6


def test_a_broken_scenario_comes_back_with_its_lines(server):
    text = shipped_scenarios()["chicken"].read_text().replace("next: end", "next: nowhere", 1)
    status, body = post(server + "/api/scenario", {"yaml": text})
    assert status == 422
    assert any(p["line"] and "nowhere" in p["message"] for p in body["problems"])


def test_bad_requests_are_refused_clearly(server):
    status, body = post(server + "/api/solve", {"values": {"no_such_parameter": 1}})
    assert status == 400 and "unknown parameters" in body["error"]


def test_moving_a_slider_changes_the_displayed_probability(server, browser):
    browser.get(server + "/")
    wait = WebDriverWait(browser, 20)

    def first() -> str | None:
        return browser.execute_script("const c = document.querySelector('#paths td'); return c ? c.textContent : null")

    wait.until(lambda _: first() is not None)
    before = first()
    browser.execute_script(
        "const s = document.getElementById('param-p_reveal_combat'); s.value = s.min;"
        "s.dispatchEvent(new Event('input'));"
    )
    wait.until(lambda _: first() not in (None, before))
    assert first() != before
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "explorer.png"))
