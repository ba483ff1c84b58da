"""Fixtures shared by the core's test modules."""

import pytest
from demijohn.templates import clear_templates


@pytest.fixture
def fresh_templates():
    """An empty cache of compiled templates before and after the test."""
    clear_templates()
    yield
    clear_templates()
