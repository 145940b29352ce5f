import os

import pytest

from tests.personas import Personas

# Playwright's sync API runs an event loop in the test thread; the Django ORM calls made by tests that
# drive the browser are ordinary blocking calls, so the async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()


@pytest.fixture
def transactional_personas(transactional_db: None) -> Personas:
    return Personas()


def login(client, user) -> None:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
