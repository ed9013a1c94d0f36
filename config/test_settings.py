"""Settings for the test suite: the real settings, with tasks run eagerly and a throw-away data dir."""

import os
import tempfile

os.environ.setdefault("STOREOPS_DATA_DIR", tempfile.mkdtemp(prefix="storeops-test-"))
os.environ.setdefault("STOREOPS_TESTING", "1")
os.environ.setdefault("STOREOPS_HTTPS", "0")
if os.environ.get("STOREOPS_TEST_DATABASE_URL") and os.environ.get("STOREOPS_TEST_ON_POSTGRES"):
    os.environ["STOREOPS_DATABASE_URL"] = os.environ["STOREOPS_TEST_DATABASE_URL"]

from config.settings import *  # noqa: F403
from config.settings import HUEY

HUEY = {**HUEY, "immediate": True}  # tasks run in-process, on commit, in the test's transaction
# Argon2 stays the hasher for real users; tests create hundreds, so they hash cheaply.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
