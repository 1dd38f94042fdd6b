"""The grader's own connection to a student's kernel (split grading, coursekit.grading.split.grader).

Execute requests on the shell channel; the kernel's input() prompts and their answers on the stdin
channel, over which the kernel's agent (coursekit.grading.split.agent) serves the grader; interrupts as
messages on the control channel, because a signal would not reach a kernel inside its sandbox.
Every message read is checked against the connection's key; one that is malformed or unsigned is
dropped. Nothing read here is unpickled or evaluated: the content is JSON, and the agent's
requests and replies inside it are decoded by coursekit.grading.split.wire.
"""

import hmac
import json
import time

import zmq
from jupyter_client.session import DELIM, Session

from . import wire

# The largest message the grader's own sockets take from the kernel (ZeroMQ drops a bigger one, and
# the connection with it: the grader then times out), and how many may wait to be read. The agent's
# largest reply is the wire's cap, 8 M characters, at most six bytes each once in JSON; the agent
# asks one thing at a time, so a queue of more than a few messages is never an honest one.
MAX_MESSAGE_BYTES = {"stdin": 6 * (2 * wire.MAX_TEXT + 1000) + 2**20,
                     "shell": 2**20,      # execute replies to the grader's own, silent requests
                     "control": 2**16}    # interrupt replies
MAX_QUEUED = 4
INTERRUPT_GRACE = 5              # seconds a kernel gets to stop after an interrupt


class KernelGone(BaseException):
    """The kernel died or stopped answering: the notebook's grading ends (see LimitedExecute)."""


class CallTimedOut(BaseException):
    """A call ran over the cell's time limit and was interrupted: the cell ends with this error.

    A BaseException, so that a test's `except Exception` cannot swallow it."""


class KernelChannel:
    """The grader's own connection to the student's kernel: execute requests, and the kernel's
    stdin channel, over which a serving agent takes requests and gives replies (see Student).

    Own sockets, with an identity of their own, so nbclient's client of the same kernel never sees
    these replies (it ignores the IOPub messages: their parent is not its request).
    """

    def __init__(self, connection_info, alive, drain=None):
        self.alive = alive
        self.drain = drain  # nbclient's IOPub socket: emptied while this client works (see _wait)
        self.session = Session(key=connection_info["key"], signature_scheme=connection_info["signature_scheme"])
        context = zmq.Context.instance()
        self.sockets = {}
        for channel in ("shell", "stdin", "control"):
            socket = context.socket(zmq.DEALER)
            socket.linger = 0
            socket.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES[channel])
            socket.setsockopt(zmq.RCVHWM, MAX_QUEUED)
            socket.setsockopt(zmq.IDENTITY, self.session.bsession)
            socket.connect(_url(connection_info, channel))
            self.sockets[channel] = socket
        self.poller = zmq.Poller()
        for socket in (self.sockets["shell"], self.sockets["stdin"], *([drain] if drain is not None else [])):
            self.poller.register(socket, zmq.POLLIN)
        self.running = None  # msg_id of the execute request in progress
        self.pending = None  # the kernel's input request waiting for an answer

    def close(self):
        for socket in self.sockets.values():
            socket.close(linger=0)

    def start(self, code, deadline, stdin=True):
        """Send an execute request; the first prompt it asks with input(), or None once it has ended."""
        # silent: the kernel publishes no copy of the request on IOPub and keeps no history of it.
        request = self.session.send(self.sockets["shell"], "execute_request", {
            "code": code, "silent": True, "store_history": False, "user_expressions": {},
            "allow_stdin": stdin, "stop_on_error": False})
        self.running, self.pending = request["header"]["msg_id"], None
        return self._wait(deadline)

    def ask(self, text, deadline):
        """Answer the pending input() with text; the next prompt, or None once the request has ended."""
        self.answer(text)
        return self._wait(deadline)

    def answer(self, text):
        """Answer the pending input() with text, without waiting for what comes next."""
        self.session.send(self.sockets["stdin"], "input_reply", {"value": text}, parent=self.pending)
        self.pending = None

    def pending_prompt(self):
        prompt = self.pending["content"].get("prompt", "") if self.pending is not None else ""
        return prompt if isinstance(prompt, str) else ""

    def _wait(self, deadline):
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._interrupt()
                raise CallTimedOut()
            found = self.next_event(min(left, 0.5))
            if found is not None:
                return found[0]

    def next_event(self, seconds):
        """(prompt,) for an input request of the running request, (None,) for its end, None if nothing came."""
        ready = dict(self.poller.poll(timeout=max(1, seconds * 1000)))
        self._drain()
        if self.sockets["stdin"] in ready:
            message = self._receive("stdin")
            mine = message and message["parent_header"].get("msg_id") == self.running
            if mine and message["msg_type"] == "input_request":
                self.pending = message
                prompt = message["content"].get("prompt", "")
                return (prompt if isinstance(prompt, str) else "",)
        if self.sockets["shell"] in ready:
            message = self._receive("shell")
            mine = message and message["parent_header"].get("msg_id") == self.running
            if mine and message["msg_type"] == "execute_reply":
                self.running = self.pending = None
                return (None,)
        if not ready and not self.alive():
            raise KernelGone("the kernel died")
        return None

    def _drain(self):
        # The kernel publishes a busy and an idle status per request, and whatever student code
        # writes to its file descriptors: nbclient, which does not read while a test cell runs
        # here, would lose its own messages once its queue is full.
        while self.drain is not None:
            try:
                self.drain.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                return

    def _receive(self, channel):
        try:
            frames = self.sockets[channel].recv_multipart(zmq.NOBLOCK)
            # An interrupt that lands while the kernel sends leaves a partial message, to which
            # ZeroMQ appends the next whole one: read the part after the last delimiter.
            last = max((i for i, frame in enumerate(frames) if frame == DELIM), default=-1)
            return decode(self.session, frames[last + 1:])
        except Exception:  # noqa: BLE001 - a malformed or unsigned message is dropped
            return None

    def send_interrupt(self):
        self.session.send(self.sockets["control"], "interrupt_request", {})

    def _interrupt(self):
        """Interrupt the running code; return once it has replied again or ended, else KernelGone."""
        self.send_interrupt()
        deadline = time.monotonic() + INTERRUPT_GRACE
        while time.monotonic() < deadline:
            if self.next_event(0.2) is not None:
                return
            if not self.alive():
                raise KernelGone("the kernel died")
        raise KernelGone("a call ran longer than its time limit and did not stop when interrupted")


def decode(session, parts):
    """A signed Jupyter message's header, parent header and content, or None.

    What Session.deserialize does, less what this channel never reads: it also parses every date
    of both headers with dateutil, a fifth of the grader's cost of a call.
    """
    if len(parts) < 5 or not hmac.compare_digest(parts[0], session.sign(parts[1:5])):
        return None
    header, parent, content = (json.loads(part) for part in (parts[1], parts[2], parts[4]))
    if not all(type(part) is dict for part in (header, parent, content)):
        return None
    return {"header": header, "parent_header": parent, "content": content, "msg_type": header.get("msg_type")}


def _url(info, channel):
    port = info[f"{channel}_port"]
    return f"ipc://{info['ip']}-{port}" if info["transport"] == "ipc" else f"tcp://{info['ip']}:{port}"
