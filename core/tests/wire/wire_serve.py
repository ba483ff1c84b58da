"""Serve ``wire_app`` with one adapter: ``python wire_serve.py ADAPTER PORT OPTIONS_JSON``."""

import json
import sys

import demijohn
from wire_app import app

demijohn.run(app, server=sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]), quiet=True, **json.loads(sys.argv[3]))
