"""``python -m demijohn``: see :mod:`demijohn.cli`."""

import sys

from .cli import main

sys.exit(main())
