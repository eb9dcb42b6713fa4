"""The web explorer: its API, its refusals of bad input, and a real browser moving a slider.

The requests go over a real socket to uvicorn (as ``escalade serve`` runs it): the size cap, the Host check
and chunked bodies are the server's business, and the stdlib client needs no extra test dependency.
"""

import http.client
import json
import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from selenium.webdriver.support.ui import WebDriverWait

from escalade.explorer import app as explorer
from escalade.explorer.app import MAX_BODY, _Edits, _State, create_app, hosts_for
from escalade.game import compile_tree
from escalade.scenario import load, loads, shipped_scenarios
from escalade.solve import SolverError
from tests.conftest import SCREENSHOTS, WIDTHS, overflow

QUICK = 5.0  # seconds: a refusal must not hold a worker
JSON = {"Content-Type": "application/json"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving(name: str):
    path = shipped_scenarios()[name]
    app = create_app(load(path), Path(path).read_text())
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="critical")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not running.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server():
    yield from serving("dprk_russia_2024")


@pytest.fixture(scope="module")
def rounds_server():
    yield from serving("dprk_russia_dynamic")


def send(server: str, method: str, path: str, body=b"", headers: dict | None = None) -> tuple[int, dict, Any]:
    """One request on its own connection: the status, the JSON answer (or {"text": …}) and the response.
    A second thread writes the body while this one waits for the answer, as a browser does: a server that
    refuses a large body answers and hangs up before it has taken it all. An iterable body goes chunked."""
    host, port = server.removeprefix("http://").split(":")
    headers = {**JSON, **(headers or {})}
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
    data = body.encode() if isinstance(body, str) else body
    if isinstance(data, bytes):
        pieces = [data]
        headers["Content-Length"] = str(len(data))
    else:
        pieces = [*(b"%X\r\n%s\r\n" % (len(chunk), chunk) for chunk in data), b"0\r\n\r\n"]
        headers["Transfer-Encoding"] = "chunked"
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    writer = threading.Thread(target=_write, args=(connection, pieces))
    writer.start()
    try:
        response = connection.getresponse()
        raw = response.read()
    finally:
        writer.join()
        connection.close()
    try:
        return response.status, json.loads(raw), response
    except ValueError:
        return response.status, {"text": raw.decode(errors="replace")}, response


def _write(connection: http.client.HTTPConnection, pieces: list[bytes]) -> None:
    try:
        for piece in pieces:
            connection.send(piece)
    except OSError:  # the server answered and hung up: the answer is what the test reads
        pass


def post(url: str, body: dict, cookie: str | None = None) -> tuple[int, dict]:
    server, _, path = url.partition("/api")
    status, answer, _ = send(server, "POST", "/api" + path, json.dumps(body), {"Cookie": cookie} if cookie else {})
    return status, answer


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
    assert any(e["line"] and "nowhere" in e["message"] and e["field"] == "yaml" for e in body["errors"])


def test_bad_requests_are_refused_clearly(server):
    status, body = post(server + "/api/solve", {"values": {"no_such_parameter": 1}})
    assert status == 400 and "unknown parameter 'no_such_parameter'" in body["error"]
    assert body["errors"][0]["field"] == "values.no_such_parameter" and "p_reveal_combat" in body["errors"][0]["hint"]


def test_an_impossible_probability_is_refused_before_solving_on_its_field(server):
    start = time.perf_counter()
    status, body = post(server + "/api/solve", {"values": {"p_reveal_combat": 1.7}})
    assert status == 400 and time.perf_counter() - start < QUICK
    assert body["errors"][0]["field"] == "values.p_reveal_combat"
    assert "outside [0, 1]" in body["errors"][0]["message"] and body["errors"][0]["hint"]


def alias_bomb(levels: int = 12) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def scenario_body(yaml) -> bytes:
    return json.dumps({"yaml": yaml}).encode()


def dynamic_only() -> str:
    return shipped_scenarios()["dprk_russia_dynamic"].read_text()


GARBAGE = bytes(range(256)) * 4
NOT_UTF8 = b"\xc3\x28" * 512
DEEP_JSON = b'{"values": ' + b"[" * 5000 + b"]" * 5000 + b"}"
SOLVE = "/api/solve"
EDIT = "/api/scenario"
COMPARE, SWEEP, PLAY, ROUNDS = "/api/compare", "/api/sweep", "/api/play", "/api/rounds"
MALFORMED = [  # (what, path, body, expected status)
    ("probability above 1", SOLVE, b'{"values": {"p_reveal_combat": 1.7}}', 400),
    ("negative probability", SOLVE, b'{"values": {"p_reveal_combat": -0.2}}', 400),
    ("overflowing number", SOLVE, b'{"values": {"p_reveal_combat": 1e999}}', 400),
    ("overflowing negative number", SOLVE, b'{"values": {"gains_combat": -1e999}}', 400),
    ("a parameter far out of range", SOLVE, b'{"values": {"gains_combat": 1e300}}', 400),
    ("NaN as a string", SOLVE, b'{"values": {"p_reveal_combat": "NaN"}}', 422),
    ("a number as a string", SOLVE, b'{"values": {"p_reveal_combat": "0.5"}}', 422),
    ("a boolean for a number", SOLVE, b'{"values": {"p_reveal_combat": true}}', 422),
    ("null for a number", SOLVE, b'{"values": {"p_reveal_combat": null}}', 422),
    ("a list for a number", SOLVE, b'{"values": {"p_reveal_combat": [0.5]}}', 422),
    ("a list for the values", SOLVE, b'{"values": [0.5]}', 422),
    ("a string for the values", SOLVE, b'{"values": "p_reveal_combat=0.5"}', 422),
    ("unknown parameter", SOLVE, b'{"values": {"no_such_parameter": 0.5}}', 400),
    ("60,000 unknown parameters", SOLVE, json.dumps({"values": {f"p{i}": 0.5 for i in range(60_000)}}).encode(), 400),
    ("a megabyte-long name", SOLVE, json.dumps({"values": {"x" * 900_000: 0.5}}).encode(), 400),
    ("unknown policy", SOLVE, b'{"policy": "no_such_policy"}', 400),
    ("an empty policy", SOLVE, b'{"policy": ""}', 400),
    ("an empty policy in play", PLAY, b'{"actor": "RUS", "policy": ""}', 400),
    ("a number for the policy", SOLVE, b'{"policy": 7}', 422),
    ("a list for the policy", SOLVE, b'{"policy": ["deterrence"]}', 422),
    ("a misspelt field", SOLVE, b'{"valuez": {"p_reveal_combat": 0.5}}', 422),
    ("a top-level list", SOLVE, b"[]", 422),
    ("a top-level string", SOLVE, b'"solve it"', 422),
    ("truncated JSON", SOLVE, b'{"values": {', 422),
    ("binary garbage", SOLVE, GARBAGE, 422),
    ("5,000-deep JSON", SOLVE, DEEP_JSON, 400),
    ("a 10 MB body", SOLVE, b'{"values": {"p": "' + b"x" * 10_000_000 + b'"}}', 413),
    ("a probability above 1, side by side", COMPARE, b'{"values": {"p_reveal_combat": 1.7}}', 400),
    ("a policy where courses are compared", COMPARE, b'{"policy": "deterrence"}', 422),
    ("too many draws", SWEEP, b'{"draws": 1000000}', 422),
    ("too few draws", SWEEP, b'{"draws": 2}', 422),
    ("a fractional number of draws", SWEEP, b'{"draws": 256.5}', 422),
    ("a window wider than the range", SWEEP, b'{"spread": 3.0}', 422),
    ("a window of nothing", SWEEP, b'{"spread": 0.0}', 422),
    ("a negative seed", SWEEP, b'{"seed": -1}', 422),
    ("a probability above 1 in a sweep", SWEEP, b'{"values": {"p_reveal_combat": 1.7}}', 400),
    ("no actor to play", PLAY, b'{"choices": []}', 422),
    ("an actor who does not exist", PLAY, b'{"actor": "NOBODY"}', 400),
    ("a move the game does not offer", PLAY, b'{"actor": "RUS", "choices": ["launch_everything"]}', 400),
    ("more choices than the play takes", PLAY, json.dumps({"actor": "CHN", "choices": ["x"] * 400}).encode(), 400),
    ("600 choices", PLAY, json.dumps({"actor": "RUS", "choices": ["x"] * 600}).encode(), 422),
    ("a number for a choice", PLAY, b'{"actor": "RUS", "choices": [1]}', 422),
    ("rounds of a game tree", ROUNDS, b'{"values": {}}', 422),
    ("too many runs", ROUNDS, b'{"runs": 100000000}', 422),
    ("the YAML field missing", EDIT, b"{}", 422),
    ("a number for the YAML", EDIT, b'{"yaml": 12}', 422),
    ("a list for the YAML", EDIT, b'{"yaml": ["name: x"]}', 422),
    ("plain words for a scenario", EDIT, scenario_body("just some words"), 422),
    ("an empty scenario", EDIT, scenario_body(""), 422),
    ("a YAML alias bomb", EDIT, scenario_body(alias_bomb()), 422),
    ("5,000-deep YAML lists", EDIT, scenario_body("[" * 5000 + "]" * 5000), 422),
    ("5,000-deep YAML mappings", EDIT, scenario_body("{a: " * 5000 + "1" + "}" * 5000), 422),
    ("YAML with a NUL byte", EDIT, scenario_body("name: x\0\n"), 422),
    ("bytes that are not UTF-8", EDIT, NOT_UTF8, 400),
    ("a scenario over the size cap", EDIT, scenario_body("# " + "x" * MAX_BODY), 413),
]


@pytest.mark.parametrize(("path", "body", "expected"), [case[1:] for case in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_requests_are_refused_quickly_with_a_message(server, path, body, expected):
    start = time.perf_counter()
    status, answer, response = send(server, "POST", path, body)
    assert time.perf_counter() - start < QUICK
    assert status == expected, answer
    assert response.getheader("content-type") == "application/json"
    assert answer["error"] and answer["errors"] and all(error["message"] for error in answer["errors"])
    assert set(answer["errors"][0]) == {"field", "message", "hint", "line"}
    assert len(answer["errors"]) <= explorer.MAX_ERRORS + 1 and len(json.dumps(answer)) < 50_000


def test_a_chunked_body_over_the_cap_is_refused(server):
    chunks = (b"x" * 65_536 for _ in range(40))  # no Content-Length: 2.6 MB, counted as it arrives
    status, answer, _ = send(server, "POST", SOLVE, chunks)
    assert status == 413 and "larger than" in answer["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_body_not_declared_as_json_is_refused(server, content_type):
    """Another site's page may post these without a CORS preflight; JSON it cannot send unasked."""
    status, answer, _ = send(server, "POST", SOLVE, b'{"values": {}}', {"Content-Type": content_type})
    assert status == 415 and answer["errors"][0]["hint"]


@pytest.mark.parametrize(("method", "path", "expected"), [("GET", SOLVE, 405), ("GET", "/nowhere", 404)])
def test_wrong_routes_answer_json(server, method, path, expected):
    status, answer, _ = send(server, method, path)
    assert status == expected and answer["error"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", "10.0.0.1", "", "bad host"])
def test_a_foreign_host_header_is_refused(server, host):
    """A page whose DNS name was rebound to 127.0.0.1 still sends its own name as the Host."""
    port = server.rsplit(":", 1)[1]
    status, answer, _ = send(server, "GET", "/api/scenario", headers={"Host": f"{host}:{port}" if host else host})
    assert status == 400, answer


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]"])
def test_the_loopback_names_are_served(server, host):
    port = server.rsplit(":", 1)[1]
    status, answer, _ = send(server, "GET", "/api/scenario", headers={"Host": f"{host}:{port}"})
    assert status == 200 and answer["title"]


def test_the_hosts_follow_the_address_served_on():
    assert hosts_for("127.0.0.1") == ("127.0.0.1", "localhost", "[::1]")
    assert hosts_for("0.0.0.0") == ("127.0.0.1", "localhost", "[::1]")
    assert hosts_for("192.168.1.5")[-1] == "192.168.1.5" and hosts_for("fe80::1")[-1] == "[fe80::1]"


@pytest.mark.parametrize("error", [SolverError("the QRE path did not finish"), MemoryError(), ZeroDivisionError()])
def test_a_solver_failure_is_the_users_answer_not_a_500(server, monkeypatch, error):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(explorer, "first_solution", fail)
    status, answer = post(server + "/api/solve", {"values": {"p_reveal_combat": 0.5}})
    assert status == 422 and answer["error"].startswith("cannot solve at this point")


def test_a_genuine_bug_is_a_json_500(server, monkeypatch):
    def fail(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(explorer, "first_solution", fail)
    status, answer = post(server + "/api/solve", {"values": {"p_reveal_combat": 0.5}})
    assert status == 500 and answer["error"] == "internal error (KeyError)"


def cookie_of(server: str) -> str:
    """A browser's first visit: the page hands out a client id that no script can read."""
    status, _, response = send(server, "GET", "/")
    header = response.getheader("set-cookie")
    assert status == 200 and "httponly" in header.lower() and "samesite=strict" in header.lower()
    return header.split(";")[0]


def title(server: str, cookie: str | None = None) -> str:
    _, answer, _ = send(server, "GET", "/api/scenario", headers={"Cookie": cookie} if cookie else {})
    return answer["title"]


def test_each_client_edits_its_own_scenario(server):
    alice, bob = cookie_of(server), cookie_of(server)
    default = title(server)
    status, edited = post(server + "/api/scenario", {"yaml": shipped_scenarios()["chicken"].read_text()}, alice)
    assert status == 200 and edited["title"] == "Chicken" != default
    assert title(server, alice) == "Chicken"
    assert title(server, bob) == default and title(server) == default
    status, _ = post(server + "/api/solve", {"values": {"crash_cost": 3.0}}, alice)
    assert status == 200
    status, answer = post(server + "/api/solve", {"values": {"crash_cost": 3.0}}, bob)
    assert status == 400 and answer["errors"][0]["field"] == "values.crash_cost"


def test_a_forged_client_id_gets_a_fresh_one(server):
    status, _, response = send(server, "GET", "/api/scenario", headers={"Cookie": "escalade_client=../../etc"})
    assert status == 200 and "escalade_client=" in response.getheader("set-cookie")


def test_the_edits_kept_are_bounded_and_the_least_recent_forgotten():
    default = _State(load("chicken"), "default")
    edits = _Edits(default, limit=2)
    for client in "abc":
        edits.put(client, _State(default.scenario, client))
        edits.get("a")
    assert [edits.get(client).text for client in "abc"] == ["a", "default", "c"]


def test_a_parameter_only_the_record_reads_is_marked_and_one_the_game_reads_is_not():
    flagship = load("dprk_russia_2024")
    # the record's λ: no slider would move anything
    assert explorer.record_only(flagship, compile_tree(flagship)) == {"rationality"}
    info = explorer.scenario_info(flagship, "")
    assert [p["name"] for p in info["parameters"] if p["record_only"]] == ["rationality"]
    text = Path(flagship.source_file).read_text()
    read = text.replace("      cash_tech: 1\n", "      cash_tech: rationality\n", 1)  # North Korea's weight on it
    assert read != text
    variant = loads(read)
    assert explorer.record_only(variant, compile_tree(variant)) == set()


def test_moving_a_slider_changes_the_displayed_probability(server, browser):
    browser.get(server + "/")
    wait = WebDriverWait(browser, 20)

    def first() -> str | None:
        return browser.execute_script("const c = document.querySelector('#paths td'); return c ? c.textContent : null")

    wait.until(lambda _: first() is not None)
    assert browser.execute_script("return document.getElementById('param-rationality').disabled")  # record only
    before = first()
    browser.execute_script(
        "const s = document.getElementById('param-p_reveal_combat'); s.value = s.min;"
        "s.dispatchEvent(new Event('input'));"
    )
    wait.until(lambda _: first() not in (None, before))
    assert first() != before
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def test_a_broken_edit_lists_its_problems_in_the_page(server, browser):
    browser.get(server + "/")
    wait = WebDriverWait(browser, 20)
    wait.until(lambda _: browser.execute_script("return document.getElementById('yaml').value.length > 0"))
    browser.execute_script(
        "const y = document.getElementById('yaml'); y.value = y.value.replace('next:', 'next: nowhere #', 1);"
        "document.getElementById('apply').click();"
    )
    wait.until(lambda _: browser.execute_script("return document.querySelectorAll('#problems li').length > 0"))
    shown = browser.execute_script("return document.getElementById('problems').textContent")
    assert shown.startswith("line ") and "nowhere" in shown and "undefined" not in shown
    assert browser.get_cookie("escalade_client")["httpOnly"]


def test_the_courses_side_by_side_are_the_solutions_of_each_course(server):
    values = {"p_reveal_combat": 0.6}
    status, answer = post(server + "/api/compare", {"values": values})
    assert status == 200
    assert [c["course"] for c in answer["courses"]] == ["equilibrium", "escalation_management", "deterrence"]
    for course in answer["courses"]:
        policy = None if course["course"] == "equilibrium" else course["course"]
        _, alone = post(server + "/api/solve", {"values": values, "policy": policy})
        assert course["outcomes"] == alone["outcomes"] and course["values"] == alone["values"]
        assert course["max_regret"] <= 1e-6
    assert answer["courses"][2]["actor"] == "WEST"


def test_a_sweep_here_draws_around_the_sliders_and_gives_intervals(server):
    body = {"values": {"p_reveal_combat": 0.3, "audience_cost": 1.0}, "draws": 128, "spread": 0.2, "seed": 7}
    start = time.perf_counter()
    status, answer = post(server + "/api/sweep", body)
    assert status == 200 and time.perf_counter() - start < 30  # a hang, not a timing: see bench/ for speed
    low, high = answer["ranges"]["p_reveal_combat"]
    assert low < 0.3 < high and (low + high) / 2 == pytest.approx(0.3)
    parameter = load("dprk_russia_2024").parameters["p_reveal_combat"]
    q01, q99 = parameter.ppf(np.array([0.01, 0.99]))
    assert high - low == pytest.approx(0.2 * (q99 - q01))
    assert [c["course"] for c in answer["courses"]] == ["equilibrium", "escalation_management", "deterrence"]
    for course in answer["courses"]:
        assert course["max_regret"] <= 1e-6
        for output in course["outputs"].values():
            assert output["low"] <= output["mean"] <= output["high"] and output["q05"] <= output["q95"]
    assert answer["recommendations"][0]["actor"] == "WEST" and answer["figure"]["data"]
    _, again = post(server + "/api/sweep", body)
    assert again["courses"] == answer["courses"]
    _, other = post(server + "/api/sweep", {**body, "seed": 8})
    assert other["courses"] != answer["courses"]


def test_a_window_of_almost_nothing_gives_the_point(server):
    """A parameter whose window is empty is pinned at its slider, never drawn from its prior again."""
    values = {"p_reveal_combat": 0.6}
    _, point = post(server + "/api/compare", {"values": values})
    status, answer = post(server + "/api/sweep", {"values": values, "draws": 16, "spread": 1e-16})
    assert status == 200
    for swept, solved in zip(answer["courses"], point["courses"], strict=True):
        for name, p in solved["outcomes"].items():
            assert swept["outputs"][f"P({name})"]["mean"] == pytest.approx(p, abs=1e-9)


def test_a_window_at_the_edge_of_a_parameter_stays_inside_its_support(server):
    status, answer = post(server + "/api/sweep", {"values": {"p_reveal_combat": 0.0}, "draws": 16, "spread": 1.0})
    assert status == 200 and answer["ranges"]["p_reveal_combat"][0] == 0.0


def test_playing_an_actor_to_the_end(server):
    choices: list[str] = []
    for _ in range(20):
        status, answer = post(
            server + "/api/play", {"values": {"p_reveal_combat": 1.0}, "actor": "WEST", "choices": choices, "seed": 3}
        )
        assert status == 200
        if answer["ending"] is not None:
            break
        pending = answer["pending"]
        assert pending["chosen"] is None and pending["actions"]
        assert "solved" not in pending and "values" not in pending and "paths" not in answer  # no peeking
        choices.append(pending["actions"][0])
    ending = answer["ending"]
    assert ending is not None and answer["pending"] is None and answer["paths"]
    assert [d["chosen"] for d in answer["decisions"]] == choices and choices
    # the debrief: what each choice cost against the solved mix at that decision, summed
    cost = sum(
        np.dot(d["solved"], d["values"]) - d["values"][d["actions"].index(d["chosen"])] for d in answer["decisions"]
    )
    assert answer["cost"] == pytest.approx(cost) and answer["cost"] > 0  # the first action is not the solved one
    assert ending["moves"][0].startswith("RUS: ") and set(ending["payoffs"]) == {"RUS", "DPRK", "UKR", "WEST", "CHN"}


def test_the_rounds_view_runs_each_course_of_a_dynamic_scenario(rounds_server):
    status, info, _ = send(rounds_server, "GET", "/api/scenario")
    assert status == 200 and info["kind"] == "rounds" and "deterrence" in info["policies"]
    status, answer = post(rounds_server + "/api/rounds", {"values": {}, "runs": 256})
    assert status == 200 and answer["runs"] == 256
    labels = [c["course"] for c in answer["courses"]]
    assert labels[0] == "equilibrium" and "WEST=deterrence" in labels
    for course in answer["courses"]:
        assert course["summary"]["certified"] and course["figure"]["data"]
        assert 0 <= course["summary"]["final_level"] <= len(load("dprk_russia_dynamic").dynamics.ladder) - 1
    status, answer = post(rounds_server + "/api/solve", {"values": {}})
    assert status == 422 and "rounds" in answer["errors"][0]["hint"]


def test_an_edit_may_turn_the_explorer_to_rounds(server):
    cookie = cookie_of(server)
    status, answer = post(server + "/api/scenario", {"yaml": dynamic_only()}, cookie)
    assert status == 200 and answer["kind"] == "rounds"
    assert title(server) != answer["title"]  # only this browser's scenario changed


def test_the_api_is_documented_on_a_page_that_loads_nothing(server):
    status, schema, _ = send(server, "GET", "/openapi.json")
    assert status == 200
    status, page, _ = send(server, "GET", "/docs")
    assert status == 200
    for path in schema["paths"]:
        assert path in page["text"]
    assert "/api/sweep" in schema["paths"] and "spread" in page["text"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page["text"])


def test_plotly_is_served_from_the_installed_package(server):
    host, port = server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", "/assets/plotly.min.js")
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200 and response.getheader("content-type").startswith("text/javascript")
    assert len(body) > 1_000_000 and b"plotly" in body[:2000].lower()


def fits_and_is_quiet(browser, server: str) -> None:
    """No console errors, nothing fetched from anywhere but this server, nothing wider than the window."""
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(name.startswith(server) for name in resources), resources
    assert overflow(browser) <= 1


def until(browser, script: str, seconds: float = 60):
    return WebDriverWait(browser, seconds).until(lambda _: browser.execute_script("return " + script))


def shoot(browser, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / name))


@pytest.fixture
def sized(browser, request):
    browser.set_window_size(request.param, 4000)
    yield browser
    browser.set_window_size(1280, 4000)


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_every_tree_view_renders_and_fits(server, sized):
    browser, width = sized, sized.get_window_size()["width"]
    browser.get(server + "/")
    until(browser, "document.querySelector('#paths td') !== null")
    _, at_means = post(server + "/api/solve", {"values": {}})
    shown = browser.execute_script("return document.querySelector('#paths td').textContent")
    assert shown == f"{at_means['paths'][0]['probability']:.3f}"  # the sliders start exactly at the means
    assert until(browser, "document.querySelectorAll('.game-tree li').length") > 100  # the flagship's whole tree
    fits_and_is_quiet(browser, server)
    shoot(browser, f"explorer-equilibrium-{width}.png")

    browser.execute_script("document.getElementById('tab-courses').click()")
    until(browser, "document.querySelectorAll('#courses td').length > 0")
    browser.execute_script(
        "document.getElementById('sweep-draws').value = 64; document.getElementById('sweep').click()"
    )
    until(browser, "document.querySelector('#sweep-chart .main-svg') !== null")
    assert "[" in browser.execute_script("return document.querySelector('#courses td.num').textContent")
    fits_and_is_quiet(browser, server)
    shoot(browser, f"explorer-courses-{width}.png")

    browser.execute_script(
        "document.getElementById('tab-play').click(); document.getElementById('play-actor').value = 'WEST';"
        "document.getElementById('play-start').click()"
    )
    until(browser, "document.querySelector('.choices button') !== null")
    browser.execute_script(  # a slider moved mid-game does not change the game being played
        "const s = document.getElementById('param-p_reveal_combat'); s.value = s.min;"
        "s.dispatchEvent(new Event('input'));"
    )
    for _ in range(10):
        if browser.execute_script("return document.querySelector('#play-end h4') !== null"):
            break
        browser.execute_script(  # mark this turn's box: the next one is new, or play has ended
            "const turn = document.querySelector('#play-turn > div'); turn.dataset.old = 1;"
            "turn.querySelector('.choices button').click()"
        )
        until(browser, "document.querySelector('#play-turn > div:not([data-old]), #play-end h4') !== null")
    assert "Your choices cost" in browser.execute_script("return document.getElementById('play-end').textContent")
    fits_and_is_quiet(browser, server)
    shoot(browser, f"explorer-play-{width}.png")

    browser.execute_script("document.getElementById('tab-scenario').click()")
    assert browser.execute_script("return document.getElementById('yaml').value.startsWith('#')")
    shoot(browser, f"explorer-scenario-{width}.png")
    browser.get(server + "/docs")
    assert "/api/play" in browser.page_source
    fits_and_is_quiet(browser, server)
    shoot(browser, f"explorer-api-{width}.png")


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_the_rounds_view_draws_a_fan_per_course_and_fits(rounds_server, sized):
    browser, width = sized, sized.get_window_size()["width"]
    browser.get(rounds_server + "/")
    until(browser, "document.querySelectorAll('.fan .main-svg').length >= 5", 120)
    assert browser.execute_script("return document.getElementById('tab-equilibrium').hidden")
    assert browser.execute_script("return document.querySelectorAll('#rounds-table td').length") >= 25
    fits_and_is_quiet(browser, rounds_server)
    shoot(browser, f"explorer-rounds-{width}.png")
