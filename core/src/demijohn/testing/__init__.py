"""Testing helpers: :class:`Client`, a test client that calls an app in-process, and (in
``demijohn.testing.conformance``) the plugin conformance kit."""

from .client import Client, TestResponse

__all__ = ["Client", "TestResponse"]
