"""pyro-ns's web console in a real browser (Debian's headless Chromium,
driven by Selenium through /usr/bin/chromedriver) against a live name
server whose names real Pyro 3.16 programs registered: the names show,
the filter narrows them, a name opens with its URI and readable
registration time, a ping reaches the live Python object, a removal needs
the passphrase and a Pyro client's list no longer has the name. /metrics,
parsed, moves by exactly the calls made."""
import os
import re
import subprocess
import sys
import urllib.request

import pytest
from selenium import webdriver  # scripts/setup.sh installs it
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import free_port, py2_env, py5_env, run_py2, wait_port
from test_ns_common import start_go_ns, wait_line

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "artifacts")
PASS = "open sesame"
PRINTER = "PYRO://127.0.0.1:7001/0123456789abcdef0123456789abcdef"
PY5_REGISTER = """
import sys
import Pyro5.api
ns = Pyro5.api.locate_ns('127.0.0.1', int(sys.argv[1]))
ns.register('sensor', 'PYRO:sensor@127.0.0.1:7002', metadata={'lab', 'hot'})
"""


@pytest.fixture
def browser(tmp_path):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,720", "--user-data-dir=" + str(tmp_path / "profile")):
        opts.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager fetch anything
    driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def metrics(base):
    """The Prometheus text of /metrics as {(name, frozenset(labels)): value}."""
    out = {}
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        assert m, line
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def total(snapshot, name, **labels):
    want = set(labels.items())
    return sum(v for (n, l), v in snapshot.items() if n == name and want <= l)


def names_of(driver):
    return driver.execute_script('return [...document.querySelectorAll("#entries tr")].map(tr => tr.dataset.name)')


def click(driver, selector):
    """Clicks the element, found afresh if polling replaced it meanwhile."""
    def attempt(d):
        try:
            d.find_element(By.CSS_SELECTOR, selector).click()
            return True
        except StaleElementReferenceException:
            return False
    WebDriverWait(driver, 15, poll_frequency=0.1).until(attempt, "clicking " + selector)


def wait_for(driver, cond, what):
    return WebDriverWait(driver, 15, poll_frequency=0.1).until(lambda d: cond(d), "waiting for " + what)


def test_console_in_browser(procs, gobin, browser, tmp_path):
    port, hport = free_port(), free_port()
    start_go_ns(procs, gobin, port, "--http=127.0.0.1:%d" % hport, "--console-passphrase=" + PASS)
    wait_port(hport)
    base = "http://127.0.0.1:%d" % hport
    ns_args = ("127.0.0.1", port)

    before = metrics(base)
    run_py2("ns_do.py", *ns_args, "createGroup:shop", "register:printer:" + PRINTER)
    srv = procs.py2("ns_server.py", ":Default.shop.till", *ns_args)
    till = wait_line(srv, "READY").string.split()[1]
    after = metrics(base)
    # ns_do: createGroup, register; ns_server: unregister (refused), then
    # its daemon's register.
    for op, n in (("createGroup", 1), ("register", 2), ("unregister", 1)):
        assert total(after, "pyro_ns_operations_total", op=op) - total(before, "pyro_ns_operations_total", op=op) == n, op
        assert total(after, "pyro_daemon_call_duration_seconds_count", method=op) - \
            total(before, "pyro_daemon_call_duration_seconds_count", method=op) == n, op
    assert total(after, "pyro_ns_names") == 3  # and :Pyro.NameServer
    assert total(after, "pyro_daemon_call_errors_total", exception="NamingError") - \
        total(before, "pyro_daemon_call_errors_total", exception="NamingError") == 1

    # A Pyro 5 program's name, with its metadata tags, on the same name space.
    cp = subprocess.run([sys.executable, "-c", PY5_REGISTER, str(port)], capture_output=True, timeout=60,
                        env=py5_env())
    assert cp.returncode == 0, cp.stderr.decode()

    browser.get(base + "/")
    wait_for(browser, lambda d: set(names_of(d)) == {":Default.printer", ":Default.sensor", ":Default.shop"},
             "the default group")
    assert "4 names" in browser.find_element(By.ID, "stats").text
    click(browser, 'tr[data-name=":Default.sensor"]')
    wait_for(browser, lambda d: d.find_element(By.ID, "detail-pyro5").text == "sensor tags: hot, lab", "the tags")

    click(browser, 'tr[data-name=":Default.shop"]')
    wait_for(browser, lambda d: names_of(d) == [":Default.shop.till"], "the shop group")

    click(browser, 'tr[data-name=":Default.shop.till"]')
    wait_for(browser, lambda d: d.find_element(By.ID, "detail-uri").text == till, "the detail")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", browser.find_element(By.ID, "detail-time").text)
    assert browser.find_element(By.ID, "detail-type").text == "name"

    calls = metrics(base)
    click(browser, "#ping")
    wait_for(browser, lambda d: d.find_element(By.ID, "ping-result").text.startswith("alive"), "the ping")
    for path in (str(tmp_path / "console.png"), os.path.join(ARTIFACTS, "console.png")):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        assert browser.save_screenshot(path)

    browser.find_element(By.ID, "filter").send_keys("TIL")
    wait_for(browser, lambda d: names_of(d) == [":Default.shop.till"], "the filter")
    browser.find_element(By.ID, "filter").clear()
    browser.find_element(By.ID, "filter").send_keys("printer")
    wait_for(browser, lambda d: names_of(d) == [":Default.printer"], "the filter")
    click(browser, 'tr[data-name=":Default.printer"]')
    wait_for(browser, lambda d: d.find_element(By.ID, "detail-uri").text == PRINTER, "the detail")
    browser.find_element(By.ID, "passphrase").send_keys("wrong")
    click(browser, "#remove")
    wait_for(browser, lambda d: d.find_element(By.ID, "message").text == "wrong admin passphrase", "the refusal")
    browser.find_element(By.ID, "passphrase").clear()
    browser.find_element(By.ID, "passphrase").send_keys(PASS)
    click(browser, "#remove")
    wait_for(browser, lambda d: d.find_element(By.ID, "message").text == ":Default.printer removed.", "the removal")
    wait_for(browser, lambda d: names_of(d) == [], "the filter to empty")
    # A change the Name Server refuses is refused in its words.
    browser.find_element(By.ID, "reg-name").send_keys("shop.till")
    browser.find_element(By.ID, "reg-uri").send_keys(PRINTER)
    click(browser, "#reg-submit")
    wait_for(browser, lambda d: d.find_element(By.ID, "message").text ==
             "NamingError: ('name already exists', 'till')", "the refusal of register")

    # Metadata edited in the console is what a Pyro client gets.
    browser.find_element(By.ID, "filter").clear()
    browser.find_element(By.ID, "filter").send_keys("till")
    wait_for(browser, lambda d: names_of(d) == [":Default.shop.till"], "the filter")
    click(browser, 'tr[data-name=":Default.shop.till"]')
    wait_for(browser, lambda d: d.find_element(By.ID, "detail-uri").text == till, "the detail")
    browser.find_element(By.ID, "meta-input").send_keys("front desk")
    click(browser, "#meta-save")
    wait_for(browser, lambda d: d.find_element(By.ID, "detail-meta").text == "front desk", "the new metadata")
    out = run_py2("ns_do.py", *ns_args, "getMeta::Default.shop.till").stdout.decode()
    assert out.strip() == "getMeta :Default.shop.till front desk", out

    out = run_py2("ns_do.py", *ns_args, "list::Default").stdout.decode()
    assert "'shop'" in out and "printer" not in out, out
    # The console's changes went through the name server's methods (the
    # unregister, the refused register, the setMeta; a wrong passphrase
    # goes no further); the ping and the page's reads made no name server
    # call.
    later = metrics(base)
    for op, n in (("unregister", 1), ("register", 1), ("setMeta", 1), ("resolve", 0)):
        assert total(later, "pyro_ns_operations_total", op=op) - total(calls, "pyro_ns_operations_total", op=op) == n, op
    assert total(later, "pyro_ns_operations_total", op="list") - total(calls, "pyro_ns_operations_total", op="list") == 1
    assert total(later, "pyro_ns_names") == 3


def test_es_console_in_browser(procs, gobin, browser, tmp_path):
    """pyro-es's console shows the topics Pyro 3.16 subscribers subscribed
    to, and its event counts move by the events a Pyro 3.16 publisher
    published."""
    hport = free_port()
    env = py2_env({"PYRO_HOST": "127.0.0.1", "PYRO_PORT": "0"})
    es = procs.start([os.path.join(gobin, "pyro-es"), "-n", "127.0.0.1", "-p", "0", "-N",
                      "--http=127.0.0.1:%d" % hport], env=env)
    uri = wait_line(es, r"^URI= (\S+)").group(1)
    wait_port(hport)
    base = "http://127.0.0.1:%d" % hport
    weather = procs.py2("es_subscriber.py", "--es", uri, "weather", env={"PYRO_HOST": "127.0.0.1"})
    wait_line(weather, "READY")
    stocks = procs.py2("es_subscriber.py", "--es", uri, "--match", "stock\\..*", env={"PYRO_HOST": "127.0.0.1"})
    wait_line(stocks, "READY")

    browser.get(base + "/")
    topics = lambda d: d.execute_script(
        'return [...document.querySelectorAll("#topics tr")].map(tr => tr.dataset.topic)')
    wait_for(browser, lambda d: topics(d) == ["stock\\..*", "weather"], "the topics")
    assert "2 subscribers, 1 subjects, 1 patterns" == browser.find_element(By.ID, "stats").text

    before = total(metrics(base), "pyro_es_published_total")
    out = run_py2("es_publisher.py", "--es", uri, "--repeat", "5", "weather='sunny'", "stock.acme=42").stdout.decode()
    assert out.strip() == "PUBLISHED 10"
    for sub in (weather, stocks):
        for _ in range(5):
            wait_line(sub, "^EVENT ")
    after = metrics(base)
    assert total(after, "pyro_es_published_total") - before == 10
    assert total(after, "pyro_es_published_total", subject="weather") == 5
    assert total(after, "pyro_es_delivered_total") == 10
    # The rates are figured between two polls.
    wait_for(browser, lambda d: d.find_element(By.ID, "rate-delivered").text not in ("", "\u2014"), "the rates")
    for path in (str(tmp_path / "es-console.png"), os.path.join(ARTIFACTS, "es-console.png")):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        assert browser.save_screenshot(path)
