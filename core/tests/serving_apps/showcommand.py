"""Prints the command line a reloader parent would start its child with."""

import json

from demijohn.reloader import child_command

print(json.dumps(child_command()))
