"""The core is a DAG in layers (docs/architecture.md): no import cycle, no import from a higher layer
but the two marked ones, every module placed in core/layers.json, and the picture and the module
table of the docs page drawn from the code as it is."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import layers  # noqa: E402 - tools/layers.py, found through the path above


@pytest.fixture(scope="module")
def edges() -> list[layers.Edge]:
    return layers.import_graph()


def test_the_core_has_no_import_cycle(edges):
    assert layers.find_cycles(edges) == []


def test_each_module_imports_only_from_its_layer_or_below(edges):
    assert layers.layer_breaks(edges, layers.load_layers()) == []


def test_a_module_in_no_layer_is_reported(tmp_path):
    package = _package(tmp_path, {"placed.py": "", "stray.py": ""})
    stack = [{"name": "bottom", "modules": ["placed", "__init__"]}]
    assert layers.layer_breaks([], stack, package) == ["stray: not in core/layers.json; add it to the layer of what it holds"]


def test_every_module_of_the_core_is_in_a_layer():
    placed = {unit for layer in layers.load_layers() for unit in layer["modules"]}
    units = {layers.unit_of(name) for name in layers.module_names(layers.PACKAGE)}
    assert units - placed == set(), "add the new module to core/layers.json"
    assert placed - units == set(), "remove the module that is gone from core/layers.json"


def test_the_only_upward_imports_are_app_run_and_with_app(edges):
    upward = sorted({(edge.source, edge.target) for edge in edges if edge.upward})
    assert upward == [("app", "appstack"), ("app", "runner")]


def test_imports_inside_functions_count(edges):
    # the debug page is imported inside error_page(), on first use only
    assert any(edge.source == "errorpage" and edge.target == "debugpage" for edge in edges)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    package.mkdir()
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).write_text(text)
    return package


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    package = _package(tmp_path, {"low.py": "def f():\n    from .high import x\n", "high.py": "from .low import f\nx = 1\n"})
    assert layers.find_cycles(layers.import_graph(package)) == [["high", "low"]]


def test_a_marked_upward_import_is_no_cycle_and_type_checking_imports_do_not_count(tmp_path):
    package = _package(tmp_path, {
        "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import x\n"
                  "def f():\n    from .high import x  # upward import: a convenience\n",
        "high.py": "from .low import f\nx = 1\n"})
    edges = layers.import_graph(package)
    assert layers.find_cycles(edges) == []
    assert [(edge.source, edge.target, edge.upward) for edge in edges if edge.source == "low"] == [("low", "high", True)]


def test_an_unmarked_import_from_a_higher_layer_is_reported(tmp_path):
    package = _package(tmp_path, {"low.py": "def f():\n    from . import high\n", "high.py": "x = 1\n"})
    stack = [{"name": "bottom", "modules": ["low", "__init__"]}, {"name": "top", "modules": ["high"]}]
    problems = layers.layer_breaks(layers.import_graph(package), stack, package)
    assert len(problems) == 1 and problems[0].startswith("low (line 2) imports high, a higher layer")


def test_layers_json_names_each_module_once():
    listed = [unit for layer in layers.load_layers() for unit in layer["modules"]]
    assert len(listed) == len(set(listed))
    assert json.loads(layers.LAYERS_FILE.read_text())["layers"][-1]["name"] == "beside"


def test_the_picture_is_drawn_from_the_code_as_it_is(edges):
    drawn = layers.render(edges, layers.load_layers())
    assert layers.SVG_FILE.read_text(encoding="utf-8") == drawn, "run: python tools/layers.py --write"


def test_the_module_table_of_the_docs_page_is_up_to_date():
    page = layers.PAGE_FILE.read_text(encoding="utf-8")
    table = page.split(layers.TABLE_START)[1].split(layers.TABLE_END)[0].strip()
    assert table == layers.module_table(layers.load_layers()), "run: python tools/layers.py --write"


def test_the_picture_leaves_out_imports_a_path_already_implies():
    edges = [layers.Edge("app", "context", 1, False), layers.Edge("context", "request", 1, False),
             layers.Edge("app", "request", 2, False), layers.Edge("app", "appstack", 3, True)]
    assert layers.reduced_pairs(edges) == [("app", "context"), ("context", "request")]
