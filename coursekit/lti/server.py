"""`coursekit-lti serve`: the tool's Flask app in cheroot, a threaded WSGI server, over HTTPS.

Browsers send the tool's cookies inside the LMS's iframe only when they are `SameSite=None; Secure`
(pylti1p3 sets them so on HTTPS), so the tool is served over HTTPS: cheroot's own TLS with
LtiServer.certfile and .keyfile, or plain HTTP behind a reverse proxy that terminates TLS
(LtiServer.behind_proxy: the proxy's X-Forwarded-Proto and -Host are believed, from one proxy only).
Several threads: the LMS may fetch /jwks while a launch waits on the LMS for an access token.
"""

import threading

from cheroot import wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from traitlets import Bool, Integer, List, Unicode
from traitlets.config import LoggingConfigurable
from werkzeug.middleware.proxy_fix import ProxyFix


class LtiServer(LoggingConfigurable):
    """Where and how `coursekit-lti serve` listens."""

    ip = Unicode("127.0.0.1", help="The address to listen on (0.0.0.0: every interface).").tag(config=True)
    port = Integer(8443, help="The port to listen on.").tag(config=True)
    certfile = Unicode("", help="The TLS certificate chain (PEM); with keyfile, the tool serves HTTPS itself. "
                                "Without them, plain HTTP (for behind a TLS proxy).").tag(config=True)
    keyfile = Unicode("", help="The TLS certificate's private key (PEM).").tag(config=True)
    threads = Integer(8, help="Requests served at once.").tag(config=True)
    behind_proxy = Bool(False, help="Believe one reverse proxy's X-Forwarded-Proto, -Host and -For (it "
                                    "terminates TLS).").tag(config=True)
    frame_ancestors = List(Unicode(), ["https:"], help="Who may show the tool's pages in a frame (the "
                           "Content-Security-Policy's frame-ancestors, beside the tool itself): by default any HTTPS "
                           "page, as the LMS shows the tool in an iframe from an address that is often not its "
                           "issuer's (Canvas: https://school.instructure.com). Name the LMS's own origin(s) to allow "
                           "only them. The session cookie is partitioned by the framing site, so another site that "
                           "frames the tool has no session.").tag(config=True)
    status_poll_seconds = Integer(3, help="While an upload waits for its grade, the student's page asks the tool "
                                          "this often whether it changed (and then reloads); 0: never (reloading "
                                          "the page shows the latest state).").tag(config=True)


def make_server(app, settings: LtiServer):
    if settings.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    server = wsgi.Server((settings.ip, settings.port), app, numthreads=max(2, settings.threads),
                         server_name="coursekit-lti")
    server.max_request_header_size = 64 * 1024
    # Larger than the app's own limit (the uploads' MAX_CONTENT_LENGTH), so that the app answers an
    # oversized upload with its page; twice that is refused by cheroot before anything is read.
    server.max_request_body_size = 2 * max(app.config.get("MAX_CONTENT_LENGTH") or 0, 1024 * 1024)
    if settings.certfile or settings.keyfile:
        server.ssl_adapter = BuiltinSSLAdapter(settings.certfile, settings.keyfile)
    return server


def start(server):
    """Bind and serve in a background thread (for tests and benchmarks); stop with server.stop()."""
    server.prepare()
    thread = threading.Thread(target=server.serve, name="coursekit-lti", daemon=True)
    thread.start()
    return server.bind_addr
