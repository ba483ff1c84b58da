"""The env the scenarios run in is what it claims: on the demijohn runtime the real Bottle
is not installed at all (the packages were installed with ``--no-deps``) and ``bottle`` is
demijohn; on the Bottle runtime it is the real Bottle 0.13.4 and demijohn is absent. Both
have exactly the pinned versions of ``packages.txt``."""

from __future__ import annotations

import importlib.machinery
import importlib.metadata
import re
from pathlib import Path

import bottle
import pytest
from support import on_demijohn

PINS = [line.split("==") for line in (Path(__file__).parent / "packages.txt").read_text().splitlines()
        if line and not line.startswith("#")]


def test_bottle_is_demijohn_and_the_real_bottle_is_not_installed() -> None:
    if not on_demijohn():
        pytest.skip("the Bottle runtime: see test_bottle_is_the_real_bottle")
    import demijohn

    assert Path(bottle.__file__).parent.name == "demijohn"
    assert (bottle.Bottle, bottle.request, bottle.HTTPError) == (demijohn.Bottle, demijohn.request, demijohn.HTTPError)
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.distribution("bottle")
    assert importlib.machinery.PathFinder.find_spec("bottle") is None, "a bottle module is on sys.path"


def test_bottle_is_the_real_bottle() -> None:
    if on_demijohn():
        pytest.skip("the demijohn runtime: see test_bottle_is_demijohn_and_the_real_bottle_is_not_installed")
    assert importlib.metadata.version("bottle") == bottle.__version__ == "0.13.4"
    assert importlib.machinery.PathFinder.find_spec("demijohn") is None, "demijohn is installed next to Bottle"


@pytest.mark.parametrize(("name", "version"), PINS, ids=[name for name, _ in PINS])
def test_the_pinned_version_is_installed(name: str, version: str) -> None:
    assert importlib.metadata.version(name) == version
    requires = importlib.metadata.requires(name) or []
    if on_demijohn() and any(re.match(r"bottle\b", requirement, re.IGNORECASE) for requirement in requires):
        # the package asks for bottle, and yet the env has none: demijohn stands in
        assert Path(bottle.__file__).parent.name == "demijohn"
