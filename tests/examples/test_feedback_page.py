"""The feedback page offline: maths typeset with the network off, no "No response.", no "CheckFailed:".

The pages of a real `nbgrader generate_feedback` with the course's own nbgrader_config.py (template
offline_feedback, preprocessor coursekit.feedback_page.PlainFeedback), as the README's main command
(the demo) wrote them, then the page in Debian's headless Chromium inside a network namespace with
no interfaces (`unshare --net`).
"""

import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from coursekit import feedback_page
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import REPO

SCREENSHOTS = REPO / "test-output" / "feedback"
STUDENT = "bao"  # submitted some exercises untouched and some wrong: both kinds of noise would show


@pytest.fixture(scope="module")
def pages(graded_examples):
    """The student's pages, as the demo generated them in its course (read only)."""
    found = {nb: graded_examples / "feedback" / STUDENT / ASSIGNMENT / f"{nb}.html" for nb in NOTEBOOKS}
    assert all(path.is_file() for path in found.values()), found
    return found


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_the_page_needs_no_network_and_carries_no_noise(pages, nb):
    html = pages[nb].read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    remote = [s.get("src") for s in soup.find_all("script") if s.get("src")]
    assert not remote, f"scripts loaded from elsewhere: {remote}"
    assert feedback_page.mathjax_source("tex-svg.js")[:2000] in html  # MathJax inlined from the package
    text = soup.get_text(" ")
    assert "No response." not in text
    assert "CheckFailed" not in text


def chromium_offline(*args, cwd):
    """Headless Chromium in a network namespace without interfaces: nothing can be fetched."""
    if shutil.which("chromium") is None or shutil.which("unshare") is None:
        pytest.skip("needs the Debian packages chromium and util-linux (unshare)")
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot create a network namespace here (needs root)")
    result = subprocess.run(
        ["unshare", "--net", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--virtual-time-budget=20000", f"--user-data-dir={cwd / 'chromium-profile'}", *args],
        cwd=cwd, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_maths_is_typeset_offline_in_a_browser(pages, tmp_path):
    nb = "02_matrix_operations"
    url = pages[nb].as_uri()
    dom = BeautifulSoup(chromium_offline("--dump-dom", url, cwd=tmp_path), "html.parser")
    typeset = dom.find_all("mjx-container")
    assert len(typeset) > 50, "MathJax did not typeset the page"
    assert all(c.find("svg") is not None for c in typeset[:20]), "typeset maths should be SVG"
    assert "\\begin{pmatrix}" not in dom.get_text(" "), "raw LaTeX left on the page"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{STUDENT}_{nb}_offline.png"
    shot.unlink(missing_ok=True)
    chromium_offline(f"--screenshot={shot}", "--window-size=1280,2400", url, cwd=tmp_path)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_a_table_in_the_text_keeps_its_columns_apart(pages, tmp_path):
    """nbgrader's page gave text tables no padding: notebook 01's header read "function f(x)derivative f'(x)"."""
    probe = ("<script>window.addEventListener('load', () => {"
             " const th = [...document.querySelectorAll('.rendered_html th')]"
             "   .find(cell => cell.textContent.startsWith('derivative'));"
             " document.body.setAttribute('data-padding', th ? getComputedStyle(th).paddingLeft : 'none'); });"
             "</script></body>")
    page = tmp_path / "page.html"
    page.write_text(pages["01_derivatives_and_gradients"].read_text(encoding="utf-8").replace("</body>", probe),
                    encoding="utf-8")
    dom = BeautifulSoup(chromium_offline("--dump-dom", page.as_uri(), cwd=tmp_path), "html.parser")
    padding = dom.body.get("data-padding", "none")
    assert padding.endswith("px") and float(padding[:-2]) >= 8, padding
