"""Run Bottle 0.13.4's own test suite against demijohn (``tox -e bottle-suite``).

Downloads the sdist of ``bottle==0.13.4`` from PyPI with pip (once, into ``--cache``),
unpacks only its ``test/`` folder into ``--workdir``, and runs it with pytest and the
plugin :mod:`bottle_suite_plugin`, which makes ``import bottle`` give demijohn (through
``demijohn.install_as_bottle()``) and applies ``expected_failures.toml``. Bottle's files
are never part of this repository: the suite is a yardstick, not a source.

    python tests/bottle_suite/run.py --workdir /tmp/bottle-suite [--cache DIR] [pytest options]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "0.13.4"
HERE = Path(__file__).resolve().parent


def download(cache: Path) -> Path:
    """The sdist of Bottle, downloaded into ``cache`` once."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob(f"bottle-{VERSION}.tar.gz"))
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        f"bottle=={VERSION}", "--dest", str(cache)], check=True)
        found = sorted(cache.glob(f"bottle-{VERSION}.tar.gz"))
    if not found:
        raise SystemExit(f"pip did not download bottle-{VERSION}.tar.gz into {cache}")
    return found[0]


def unpack_tests(sdist: Path, target: Path) -> Path:
    """Unpack only ``bottle-<version>/test/`` of ``sdist`` into ``target/test``."""
    if target.exists():
        shutil.rmtree(target)
    prefix = f"bottle-{VERSION}/test/"
    with tarfile.open(sdist) as archive:
        members = [member for member in archive.getmembers()
                   if member.name.startswith(prefix) and (member.isfile() or member.isdir())]
        for member in members:
            member.name = "test/" + member.name[len(prefix):]
        safety = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.10.12+ has filters
        archive.extractall(target, members=members, **safety)  # noqa: S202 - only test/ files and folders
    return target / "test"


def main(argv: list[str] | None = None) -> int:
    """Download, unpack and run the suite; returns pytest's exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="where to unpack the tests (emptied first)")
    parser.add_argument("--cache", type=Path, help="where to keep the downloaded sdist (default: in --workdir)")
    args, pytest_args = parser.parse_known_args(argv)
    workdir = args.workdir.resolve()
    tests = unpack_tests(download((args.cache or workdir / "download").resolve()), workdir / "suite")
    environ = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
                   BOTTLE_SUITE_EXPECTED_FAILURES=str(HERE / "expected_failures.toml"))
    command = [sys.executable, "-m", "pytest", "-p", "bottle_suite_plugin", "-p", "no:cacheprovider",
               "--rootdir", str(tests.parent), "-c", str(HERE / "pytest.ini"), str(tests), *pytest_args]
    return subprocess.run(command, cwd=tests.parent, env=environ).returncode


if __name__ == "__main__":
    sys.exit(main())
