"""`coursekit-lti`: the LTI 1.3 tool's commands, run in the course directory (docs/lti.md).

    coursekit-lti keys     create the tool's RSA key pair; print what an LMS admin pastes
    coursekit-lti serve    run the tool for the LMS (login, launch, the student's and instructor's pages),
                           and its grading worker beside it
    coursekit-lti worker   grade the uploads of the student's page as they arrive, send their scores
    coursekit-lti roster   the LMS course's learners into the gradebook (Names and Roles)
    coursekit-lti push     final scores to the LMS gradebook (Assignment and Grade Services)
    coursekit-lti status   what is recorded: course contexts, LMS users, the last push
"""

import argparse
import subprocess
import sys
from pathlib import Path

import requests
from pylti1p3.exception import LtiException

from ..course import config_of, environment
from ..lms.roster import RosterError as CsvRosterError
from . import keys, worker
from .config import settings_of
from .context import ContextError, choose
from .lineitem import LineItemError
from .platform import Platform
from .push import push
from .push import summary as push_summary
from .retry import Transient
from .roster import RosterError, import_roster
from .roster import summary as roster_summary
from .server import LtiServer, make_server
from .store import open_store
from .web import ConfigError, create_app

# What a command reports instead of a traceback: the LMS or the settings said no.
EXPECTED = (ConfigError, ContextError, CsvRosterError, LineItemError, LtiException, RosterError, Transient,
            keys.KeysError, requests.RequestException, ValueError)


def parser():
    top = argparse.ArgumentParser(prog="coursekit-lti", description=__doc__.splitlines()[0])
    top.add_argument("--course", default=".", help="the course directory (default: the current one)")
    commands = top.add_subparsers(dest="command", required=True)
    make = commands.add_parser("keys", help="create the tool's key pair and print what the LMS admin pastes")
    make.add_argument("--url", help="the tool's public base URL (default: c.LtiTool.url)")
    make.add_argument("--force", action="store_true", help="replace an existing key pair (the LMS must be told)")
    make.add_argument("--show", action="store_true", help="only print the registration of the existing keys")
    serve = commands.add_parser("serve", help="run the tool for the LMS (HTTPS with --certfile and --keyfile)")
    serve.add_argument("--ip", help="address to listen on (default: c.LtiServer.ip)")
    serve.add_argument("--port", type=int, help="port (default: c.LtiServer.port)")
    serve.add_argument("--certfile", help="TLS certificate (PEM)")
    serve.add_argument("--keyfile", help="TLS private key (PEM)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not start the grading worker (default: c.LtiWorker.start_with_server)")
    grader = commands.add_parser("worker", help="grade the uploads of the student's page as they arrive")
    grader.add_argument("--jobs", type=int, help="students graded at once (default: c.LtiWorker.jobs)")
    grader.add_argument("--once", action="store_true", help="grade what is queued, then stop")
    for name, what in (("roster", "import the LMS course's learners into the gradebook"),
                       ("push", "send the final scores to the LMS gradebook"),
                       ("status", "list what the tool has recorded")):
        command = commands.add_parser(name, help=what)
        command.add_argument("--context", help="the LMS course context id, when several are recorded")
        if name == "push":
            command.add_argument("--missing-as-zero", action="store_true", default=None,
                                 help="send 0 for students who submitted nothing (default: c.LtiTool.missing_as_zero)")
    return top


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parser().parse_args(argv)
    course = Path(args.course).resolve()
    try:
        return COMMANDS[args.command](course, args, out)
    except EXPECTED as error:
        print(f"coursekit-lti {args.command}: {error}", file=sys.stderr)
        return 1


def keys_command(course, args, out):
    tool = settings_of(course, url=args.url)
    if not tool.url:
        raise ConfigError("the tool's public URL is needed: pass --url https://... or set c.LtiTool.url")
    if not args.show:
        private, public = keys.create(course, tool, force=args.force)
        print(f"Created {private} (private: never commit or share it) and {public}.\n", file=out)
    print(keys.registration_text(course, tool), file=out, end="")
    return 0


def serve_command(course, args, out):
    settings = LtiServer(config=config_of(course))
    for name in ("ip", "port", "certfile", "keyfile"):
        if getattr(args, name) is not None:
            setattr(settings, name, getattr(args, name))
    server = make_server(create_app(course), settings)
    scheme = "https" if settings.certfile else "http"
    grader = None
    if worker.LtiWorker(config=config_of(course)).start_with_server and not args.no_worker:
        # A process of its own: the web process never runs student code.
        grader = subprocess.Popen([sys.executable, "-m", "coursekit.lti.cli", "--course", str(course), "worker"],
                                  env=environment())
        print(f"Started the grading worker (process {grader.pid})", file=out, flush=True)
    print(f"Serving the LTI tool on {scheme}://{settings.ip}:{settings.port} (Ctrl-C stops it)", file=out, flush=True)
    try:
        server.safe_start()
    finally:
        server.stop()
        if grader is not None:
            grader.terminate()  # it finishes the uploads in hand, then stops
            grader.wait()
    return 0


def worker_command(course, args, out):
    return worker.main(course, once=args.once, jobs=args.jobs, out=out)


def working_on(course, args):
    tool = settings_of(course)
    if not tool.configured or tool.missing():
        raise ConfigError("LTI is not configured in nbgrader_config.py: missing "
                          + ", ".join(f"c.LtiTool.{name}" for name in tool.missing()))
    store = open_store(course, tool.db_url or None)
    return tool, store, choose(store, tool, args.context)


def roster_command(course, args, out):
    tool, store, context = working_on(course, args)
    try:
        members, done = import_roster(Platform(course, tool), store, context, course, tool.store_url(course))
        print("\n".join(roster_summary(members, done)), file=out)
        return 1 if done.refused else 0
    finally:
        store.close()


def push_command(course, args, out):
    tool, store, context = working_on(course, args)
    missing = tool.missing_as_zero if args.missing_as_zero is None else args.missing_as_zero
    try:
        report = push(course, Platform(course, tool), store, context, tool.store_url(course), missing)
        print(push_summary(report), file=out)
        return 1 if report.failed else 0
    finally:
        store.close()


def status_command(course, args, out):
    tool = settings_of(course)
    store = open_store(course, tool.db_url or None)
    try:
        for c in store.contexts():
            print(f"context {c.context_id} ({c.title}) of {c.issuer}, deployment {c.deployment_id}: "
                  f"line item {c.lineitem_url or 'not found yet'}; members "
                  f"{'from ' + c.memberships_url if c.memberships_url else 'not available'}", file=out)
        print(f"LMS users mapped to students: {len(store.users())}; scores sent or tried: {store.score_count()}",
              file=out)
    finally:
        store.close()
    return 0


COMMANDS = {"keys": keys_command, "serve": serve_command, "worker": worker_command, "roster": roster_command,
            "push": push_command, "status": status_command}


if __name__ == "__main__":
    sys.exit(main())
