"""The identity provider the login tests run against (``tests.directory.peers``)."""

from __future__ import annotations

import pytest

from tests.directory.peers import IdentityProvider


@pytest.fixture(scope="session")
def identity_provider_process():
    """One real OpenID Connect provider per test process, stopped at the end."""
    provider = IdentityProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def identity_provider(identity_provider_process, settings):
    """The provider, with this site configured to log in through it."""
    for name, value in identity_provider_process.settings().items():
        setattr(settings, name, value)
    return identity_provider_process
