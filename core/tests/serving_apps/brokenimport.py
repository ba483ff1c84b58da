"""A module whose own code imports something missing: the error must not be disguised."""

import demijohn_module_that_does_not_exist  # noqa: F401
