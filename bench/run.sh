#!/bin/sh
# Run the whole benchmark suite; see bench/run.py --help (e.g. --quick, --no-e2e, --rounds N).
exec python3 "$(dirname "$0")/run.py" "$@"
