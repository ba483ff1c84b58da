"""Fixtures shared by the core's test modules."""

import pytest
from demijohn import App
from demijohn.templates import clear_templates
from demijohn.testing import Client


@pytest.fixture
def fresh_templates():
    """An empty cache of compiled templates before and after the test."""
    clear_templates()
    yield
    clear_templates()


@pytest.fixture
def app():
    """A fresh app (test modules with an ``app`` fixture of their own override this one)."""
    return App()


@pytest.fixture
def client(app):
    """The test client of the ``app`` fixture."""
    return Client(app)
