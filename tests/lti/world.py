"""The LTI tests' world: a course with graded students, the test LMS (lti_platform.Lms), the tool served
over HTTPS by cheroot, and a browser (a requests session that keeps cookies and posts the LMS's forms).
A World can be made of another course (`template`): tests/lti_grading's, where grading can run.

Keys are made at test time: the tool's and the platform's RSA pairs, and the tool's TLS certificate
for 127.0.0.1, once per test run (its pytest-xdist workers share them, with the course template).  Each
test gets its own course, LMS and tool server (the fixtures `pems` and `world`, which conftest.py offers
to the tests).
"""

import datetime
import io
import ipaddress
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from nbgrader.api import Gradebook
from sqlalchemy import create_engine, inspect, text

from coursekit import review
from coursekit.lms.roster import Student, write_roster
from coursekit.lti import cli, keys
from coursekit.lti.config import settings_of
from coursekit.lti.server import LtiServer, make_server, start
from coursekit.lti.store import open_store
from coursekit.lti.web import create_app
from coursekit.spec import ASSIGNMENT, NOTEBOOKS
from devtools.scratch import REPO
from tests.support import gradebooks, shared

from .lti_platform import INSTRUCTOR, LEARNER, MENTOR, TA, Lms, free_port, rsa_pair

# The class: gradebook students and how much of each cell's points they scored (absent: no submission).
STUDENTS = [("alice", "Alice", "O'Neil", None), ("bao", "Bảo", "Nguyễn", "48227"), ("chidi", "Chidi", "Okafor", None),
            ("dana", "Dana", "Withheld", None), ("eve", "Eve", "Absent", None)]
SHARE = {"alice": 1.0, "bao": 0.5, "chidi": 0.0, "dana": 0.8}
LATE = {"bao": 10.0}
WITHHELD = {"dana": NOTEBOOKS[1]}
# The LMS's members: user id -> (roles, given, family, email, status).
MEMBERS = {
    "u-alice": ([LEARNER], "Alice", "O'Neil", "alice@example.edu", "Active"),
    "u-bao": ([LEARNER], "Bảo", "Nguyễn", "Bao.Nguyen@Example.edu", "Active"),
    "u-chidi": ([LEARNER], "Chidi", "Okafor", "chidi@example.edu", "Active"),
    "u-dana": ([LEARNER], "Dana", "Withheld", "dana@example.edu", "Active"),
    "u-eve": ([LEARNER], "Eve", "Absent", "eve@example.edu", "Active"),
    "u-fay": ([LEARNER], "Fay", "Newcomer", "fay@example.edu", "Active"),
    "u-prof": ([INSTRUCTOR], "Ada", "Lovelace", "ada@example.edu", "Active"),
    "u-ta": ([TA], "Tim", "Assistant", "tim@example.edu", "Active"),
    "u-mentor": ([MENTOR], "Mo", "Parent", "mo@example.org", "Active"),
    "u-gone": ([LEARNER], "Gus", "Gone", "gus@example.edu", "Inactive"),
}
# The CSV roster of coursekit/lms knows some of them (bao with a Canvas user id); chidi only has an email
# in the gradebook; fay is new.
CSV_ROSTER = [Student("alice", "Alice", "O'Neil", "alice@example.edu"),
              Student("bao", "Bảo", "Nguyễn", "bao.nguyen@example.edu", "48227"),
              Student("dana", "Dana", "Withheld", "dana@example.edu"),
              Student("eve", "Eve", "Absent", "eve@example.edu")]
LEARNER_IDS = {"u-alice": "alice", "u-bao": "bao", "u-chidi": "chidi", "u-dana": "dana", "u-eve": "eve",
               "u-fay": "fay"}


def tls_certificate(folder):
    """A self-signed certificate for 127.0.0.1 (the browser trusts it as its own CA)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    (folder / "tls.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tls.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                                       serialization.NoEncryption()))
    return folder / "tls.pem", folder / "tls.key"


def template_course(path):
    """The class's course files, built once (a new gradebook with every grade cell costs seconds);
    returns the assignment's total points."""
    shutil.copy(REPO / "nbgrader_config.py", path / "nbgrader_config.py")
    total = gradebooks.build(path / "gradebook.db", STUDENTS, SHARE, LATE)
    with Gradebook(f"sqlite:///{path / 'gradebook.db'}") as gb:
        gb.update_or_create_student("chidi", email="chidi@example.edu")
        for student, notebook in WITHHELD.items():  # as coursekit-grade's review.mark leaves a doubtful one
            for grade in gb.find_submission_notebook(notebook, ASSIGNMENT, student).grades:
                grade.needs_manual_grade = True
        gb.db.commit()
    review.write_ledger(path, {review.key(s, nb): {"reason": "stopped (memory limit)", "sha256": "", "cleared": None}
                               for s, nb in WITHHELD.items()})
    write_roster(path / "roster.csv", CSV_ROSTER)
    shutil.copytree(REPO / "release", path / "release")  # what the student's page offers and checks names by
    # The tool's tables, as its first start adds them to the gradebook (empty; each World copies them): SQLite
    # commits each CREATE on its own, and waiting for the disk a dozen times was half of a World's start.
    open_store(path).close()
    return total


@pytest.fixture(scope="session")
def pems():
    """Keys and certificate made at test time, and the course template: once per test run, which the
    pytest-xdist workers share (tests/support/shared.py)."""
    def make(folder):
        cert, cert_key = tls_certificate(folder)
        course = folder / "template"
        course.mkdir()
        return {"tool": rsa_pair(), "platform": rsa_pair(), "cert": str(cert), "cert_key": str(cert_key),
                "forger": rsa_pair(), "course": str(course), "total": template_course(course)}

    made = shared.once_per_run("lti-keys-and-course", make)
    return {**made, **{name: tuple(made[name]) for name in ("tool", "platform", "forger")},
            **{name: Path(made[name]) for name in ("cert", "cert_key", "course")}}


def form_of(page):
    """(action, fields) of the LMS's auto-submitted launch form."""
    form = BeautifulSoup(page, "html.parser").find("form")
    return form["action"], {i["name"]: i["value"] for i in form.find_all("input")}


def csrf_of(page):
    """The CSRF token of a tool page's forms."""
    return BeautifulSoup(page, "html.parser").find("input", {"name": "csrf"})["value"]


class Browser:
    """A user's browser: cookies kept per origin, redirects followed, the LMS's launch form posted."""

    def __init__(self, world):
        self.world, self.session = world, requests.Session()
        self.session.verify = str(world.pems["cert"])
        self.session.trust_env = False  # else REQUESTS_CA_BUNDLE, if set, wins over verify (requests #3829)

    def authorize(self, user, link="link-1"):
        """Click the tool's link in the LMS: the OIDC login through the tool, up to the LMS's launch form.
        Returns the form (action, fields), or the page that refused the login."""
        page = self.session.get(self.world.lms.url("/initiate", user=user, link=link), timeout=30)
        return form_of(page.text) if page.ok and "<form" in page.text else page

    def post(self, action, fields):
        return self.session.post(action, data=fields, timeout=60)

    def launch(self, user, link="link-1"):
        found = self.authorize(user, link)
        return found if isinstance(found, requests.Response) else self.post(*found)


class World:
    """One course directory, its LMS and its running tool."""

    def __init__(self, path, pems, scheme="https", key_set_by_url=False, settings="", template=None):
        self.path, self.pems = path, pems
        self.template = template or pems["course"]
        self.tool_port = free_port()
        self.tool_url = f"{scheme}://127.0.0.1:{self.tool_port}"
        self.jwks = {"keys": [keys.jwk(pems["tool"][1])]}
        self.lms = Lms(self.tool_url, self.jwks, *pems["platform"],
                       tool_key_set_url=f"{self.tool_url}/jwks" if key_set_by_url else None)
        for user, (roles, given, family, email, status) in MEMBERS.items():
            self.lms.add_user(user, roles, given, family, email, status)
        self.lms.start()
        self.total = self.build_course(settings)
        self.server = None
        self.start_tool()

    def build_course(self, settings):
        for item in self.template.iterdir():  # the course files: config, gradebook, release (and source)
            (shutil.copytree if item.is_dir() else shutil.copy)(item, self.path / item.name)
        lines = [f"c.LtiTool.{name} = {value!r}" for name, value in {"url": self.tool_url, **self.lms.tool_settings,
                                                                     "backoff": 0.01, "attempts": 4}.items()]
        lines.append(f"c.LtiServer.frame_ancestors = [{self.lms.base!r}]")  # the LMS's course page frames the tool
        with open(self.path / "nbgrader_config.py", "a", encoding="utf-8") as fh:
            fh.write("\n# The test LMS's registration of this tool\n" + "\n".join(lines) + "\n" + settings + "\n")
        (self.path / "lti").mkdir()
        (self.path / "lti" / "private_key.pem").write_text(self.pems["tool"][0])
        (self.path / "lti" / "public_key.pem").write_text(self.pems["tool"][1])
        return self.pems["total"]

    @property
    def db_url(self):
        return f"sqlite:///{self.path / 'gradebook.db'}"

    @property
    def tool(self):
        return settings_of(self.path)

    def start_tool(self):
        settings = LtiServer(ip="127.0.0.1", port=self.tool_port, threads=4)
        if self.tool_url.startswith("https"):
            settings.certfile, settings.keyfile = str(self.pems["cert"]), str(self.pems["cert_key"])
        self.server = make_server(create_app(self.path), settings)
        self.server.expiration_interval = 0.05  # how often cheroot looks up: stop() waits for it
        start(self.server)

    def stop_tool(self):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def browser(self):
        return Browser(self)

    def cli(self, *args):
        """coursekit-lti in this process: (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(["--course", str(self.path), *args], out=out)
        return code, out.getvalue(), err.getvalue()

    def dump(self):
        """Every row of the tool's tables and of the gradebook's students: what a refused request must
        leave as it was."""
        engine = create_engine(self.db_url)
        try:
            with engine.connect() as db:
                tables = [t for t in inspect(engine).get_table_names() if t.startswith("lti_") or t == "student"]
                return {t: sorted(map(tuple, db.execute(text(f"SELECT * FROM {t}")))) for t in tables}
        finally:
            engine.dispose()

    def close(self):
        self.stop_tool()
        self.lms.stop()


@pytest.fixture
def world(tmp_path, pems):
    made = World(tmp_path, pems)
    yield made
    made.close()


def expected_scores(total):
    """What the LMS must hold after a push: {user id: (final score, maximum)}; dana withheld, eve missing."""
    raw = {s: total * share for s, share in SHARE.items()}
    final = {s: max(0.0, raw[s] - LATE.get(s, 0.0)) for s in raw}
    return {user: (pytest.approx(final[student]), pytest.approx(total))
            for user, student in LEARNER_IDS.items() if student in final and student not in WITHHELD}

