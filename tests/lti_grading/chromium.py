"""Debian's Chromium, headless, driven by Playwright (never a browser Playwright downloads).

`chromium(certificate)` starts a fresh browser with a fresh profile (Playwright gives every launch a
temporary user-data-dir); each user is a context of it (cookies of their own).  The tool's certificate
is made at test time: Chromium trusts its key (--ignore-certificate-errors-spki-list, which downloads
honour too) and the contexts accept it; every other HTTPS rule holds, and cookies need `Secure` and,
inside the LMS's iframe, `SameSite=None` and `Partitioned` as anywhere.
"""

import base64
import contextlib
import hashlib
import shutil

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


def key_pin(certificate):
    """The base64 SHA-256 of a PEM certificate's public key (SubjectPublicKeyInfo), as Chromium pins keys."""
    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@contextlib.contextmanager
def chromium(certificate):
    if shutil.which(CHROMIUM) is None:
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            *ARGS, f"--ignore-certificate-errors-spki-list={key_pin(certificate)}"])
        try:
            yield browser
        finally:
            browser.close()


def user(browser, viewport=DESKTOP):
    """A new user's browser window (a context: cookies, storage and downloads of its own)."""
    context = browser.new_context(ignore_https_errors=True, viewport=viewport, accept_downloads=True)
    context.set_default_timeout(30_000)
    return context
