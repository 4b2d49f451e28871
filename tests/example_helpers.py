"""Temporary: the helpers moved to tests/factories.py."""

from tests.factories import *  # noqa: F403
from tests.factories import (  # noqa: F401  # noqa: F401
    PASSWORD,
    csrf_client,
    form_data,
    make_example,
    make_user,
    post,
    unsafe_parts,
)

import pytest  # noqa: E402


@pytest.fixture
def fast_password_hashing(settings):  # noqa: ANN001, ANN201 - temporary
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
