"""The tool's RSA key pair, its public key set (JWKS), and what an LMS admin pastes to register the tool.

The private key signs the tool's token requests (the client-credentials assertion of LTI Advantage);
the LMS checks them with the public key, which it reads from {url}/jwks or from what the admin
pasted.  `coursekit-lti keys` creates the pair once; creating it again would break the registration,
so it refuses unless told to (--force), and the private key file is readable by its owner only.
"""

import json
import os
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict

from .config import LtiTool

# LTI Advantage scopes the tool asks for: line items (find or create the assignment's), scores,
# and the course's members.  Results are never read.
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


class KeysError(Exception):
    """Keys missing, or there already (the message says what to do)."""


def create(course, tool: LtiTool, force=False):
    """Write a new 2048-bit RSA key pair to the tool's key files; return their paths."""
    private, public = tool.key_path(course, private=True), tool.key_path(course, private=False)
    if not force and (private.exists() or public.exists()):
        raise KeysError(f"{private} or {public} exists already: a new pair would break the LMS's registration "
                        "of this tool (its public key). Use --force to replace them, then update the LMS.")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Created with its final mode: the key is never readable by others, not even for a moment.
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(private, 0o600)  # an existing file (--force) keeps its mode through O_TRUNC
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def read(course, tool: LtiTool, private=True):
    path = tool.key_path(course, private)
    if not path.is_file():
        raise KeysError(f"no key at {path}: run `coursekit-lti keys` first (then register the tool in the LMS)")
    return path.read_text(encoding="ascii")


def jwk(public_pem):
    """The public key as one JWK (kid: its RFC 7638 thumbprint, alg RS256, use sig), as pylti1p3 serves it."""
    return dict(Registration.get_jwk(public_pem))


def jwks(course, tool: LtiTool):
    return {"keys": [jwk(read(course, tool, private=False))]}


def tool_conf(course, tool: LtiTool):
    """pylti1p3's ToolConfDict of this registration, with the tool's keys."""
    conf = ToolConfDict(tool.pylti_config())
    conf.set_private_key(tool.issuer, read(course, tool, private=True))
    conf.set_public_key(tool.issuer, read(course, tool, private=False))
    return conf


def registration_text(course, tool: LtiTool):
    """What an LMS admin pastes into the LMS, and what they copy back into nbgrader_config.py."""
    public = read(course, tool, private=False)
    url = tool.url.rstrip("/")
    lines = [
        "Register this tool in the LMS as an LTI 1.3 (LTI Advantage) tool:",
        "",
        f"  Tool name                        coursekit: {tool.label}",
        f"  Target link URI / Tool URL       {tool.endpoint('launch')}",
        f"  OpenID Connect login URL         {tool.endpoint('login')}",
        "  (Initiate login URL)",
        f"  Redirect URI(s)                  {tool.endpoint('launch')}",
        f"  Public key set (JWKS) URL        {tool.endpoint('jwks')}",
        f"  Domain                           {urlsplit(url).netloc}",
        "  Message type / placement         LtiResourceLinkRequest (assignment or link in the course)",
        "  Services (scopes)",
        *[f"    {scope}" for scope in SCOPES],
        "  Privacy                          share the user's name and email with the tool",
        "",
        "Where the LMS asks for a public key instead of a URL: the JWK (Canvas: Public JWK)",
        "",
        "  " + json.dumps(jwk(public), sort_keys=True),
        "",
        "or the PEM (Moodle: Public key type RSA key)",
        "",
        *["  " + line for line in public.strip().splitlines()],
        "",
        "Then write what the LMS shows for this registration into nbgrader_config.py:",
        "",
        f'  c.LtiTool.url = "{url}"',
        '  c.LtiTool.issuer = "..."          # Canvas: https://canvas.instructure.com; Moodle: the site URL',
        '  c.LtiTool.client_id = "..."',
        '  c.LtiTool.deployment_ids = ["..."]',
        '  c.LtiTool.login_url = "..."       # Moodle: <site>/mod/lti/auth.php',
        '  c.LtiTool.token_url = "..."       # Moodle: <site>/mod/lti/token.php',
        '  c.LtiTool.key_set_url = "..."     # Moodle: <site>/mod/lti/certs.php',
    ]
    return "\n".join(lines) + "\n"
