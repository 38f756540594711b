"""Settings for the test suite: the normal settings with the throw-away test keys."""

import os

os.environ.setdefault("HAIDANG_ENV", "test")

from config.settings import *  # noqa: E402,F403

# Argon2 is deliberately slow; tests that check hashing ask for it explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405

# The suite's records are dated in 2025–2026 whatever day it runs; a step dated long ago would need
# a reason for recording late. The tests of that rule set the limit themselves.
CASE_BACKDATE_DAYS_WITHOUT_REASON = 36500
# Tests seal the audit log themselves (`seal_pending`) and give a checkpoint file of their own.
AUDIT_SEAL_SECONDS = 0
AUDIT_CHECKPOINT_FILE = ""
# Tests change the map inside transactions that roll back: nothing is kept between calls (common.shared).
SHARED_DATA_CACHE = False
# The hot lists write their JSON directly (`common.api.plain_answer`); in tests each answer is also
# validated through its schema, so a field that drifts from the published schema fails the test.
API_CHECK_PLAIN_ANSWERS = True
# The hot lists keep their compiled statements (`common.queries.statement`); in tests each kept statement is
# compiled again when used and must be the same, so a key that misses something the statement is made of fails.
COMPILED_STATEMENTS_CHECK = True
