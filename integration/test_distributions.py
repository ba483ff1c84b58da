"""Every package as a user gets it from PyPI: an sdist and a wheel built with ``python -m build``
(the wheel from the sdist, so a file missing from the sdist breaks the wheel), checked with
``twine check --strict``, and each plugin's wheel installed ALONE with the core's wheel into a
fresh virtualenv, where a small app using the plugin's embedded backend serves real HTTP
through the ``demijohn`` console script. No Redis client may come with them."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from uv import find_uv_bin

from support import ROOT, Server, fetch, free_port, run

PACKAGES = {  # distribution name: (folder, import name)
    "demijohn": ("core", "demijohn"),
    "demijohn-cache": ("plugins/cache", "demijohn_cache"),
    "demijohn-session": ("plugins/session", "demijohn_session"),
    "demijohn-sqlalchemy": ("plugins/sqlalchemy", "demijohn_sqlalchemy"),
    "demijohn-jsonschema": ("plugins/jsonschema", "demijohn_jsonschema"),
}
PLUGINS = [name for name in PACKAGES if name != "demijohn"]
SHARED_CLASSIFIERS = {
    "Framework :: Bottle",
    "Intended Audience :: Developers",
    "Programming Language :: Python :: 3 :: Only",
    "Programming Language :: Python :: 3.10",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Internet :: WWW/HTTP :: WSGI",
    "Typing :: Typed",
}
UV = find_uv_bin()
SMOKE_APPS = Path(__file__).resolve().parent / "smoke"
# Build from a copy, so the build writes nothing (egg-info, build/) into the tree other envs use.
LEFT_OUT = shutil.ignore_patterns("build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "*.sqlite3")


def source_version(name: str) -> str:
    """``__version__`` as written in the package's ``__init__.py`` (the one version source)."""
    folder, module = PACKAGES[name]
    tree = ast.parse((ROOT / folder / "src" / module / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return str(ast.literal_eval(node.value))
    raise AssertionError(f"{folder}: no __version__ = '...' in src/{module}/__init__.py")


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding the sdist and the wheel of every package."""
    out = tmp_path_factory.mktemp("dist")
    sources = tmp_path_factory.mktemp("sources")
    for name, (folder, _) in PACKAGES.items():
        copy = shutil.copytree(ROOT / folder, sources / name, ignore=LEFT_OUT)
        run([sys.executable, "-m", "build", "--installer", "uv", "--outdir", out, copy])
    return out


def wheel_of(dist: Path, name: str) -> Path:
    """The wheel of distribution ``name`` in ``dist``."""
    wheels = list(dist.glob(f"{name.replace('-', '_')}-{source_version(name)}-py3-none-any.whl"))
    assert len(wheels) == 1, f"expected one wheel of {name}, found {sorted(p.name for p in dist.iterdir())}"
    return wheels[0]


def metadata_of(wheel: Path) -> Message:
    """The wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode())


def test_each_package_has_one_version_source():
    for folder, _ in PACKAGES.values():
        project = tomllib.loads((ROOT / folder / "pyproject.toml").read_text())["project"]
        assert "version" not in project and "version" in project["dynamic"], f"{folder}/pyproject.toml"


@pytest.mark.parametrize("name", PACKAGES)
def test_each_package_has_a_changelog_naming_its_version(name):
    changelog = (ROOT / PACKAGES[name][0] / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(source_version(name))}\b", changelog, re.MULTILINE), (
        f"{PACKAGES[name][0]}/CHANGELOG.md has no '## {source_version(name)}' heading (see docs/releasing.md)")


def test_every_package_builds_an_sdist_and_a_wheel(dist):
    for name in PACKAGES:
        version = source_version(name)
        assert (dist / f"{name.replace('-', '_')}-{version}.tar.gz").is_file()
        assert wheel_of(dist, name).is_file()


def test_twine_check_passes_on_every_distribution(dist):
    files = sorted(dist.iterdir())
    assert len(files) == 2 * len(PACKAGES)
    done = run([sys.executable, "-m", "twine", "check", "--strict", *files])
    assert done.stdout.count("PASSED") == len(files), done.stdout


@pytest.mark.parametrize("name", PACKAGES)
def test_wheel_metadata_is_uniform(dist, name):
    wheel = wheel_of(dist, name)
    metadata = metadata_of(wheel)
    assert metadata["Version"] == source_version(name)
    assert metadata["License-Expression"] == "MIT" and metadata["License-File"] == "LICENSE"
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert SHARED_CLASSIFIERS <= set(metadata.get_all("Classifier") or [])
    import_name = PACKAGES[name][1]
    with zipfile.ZipFile(wheel) as archive:
        files = archive.namelist()
    assert f"{import_name}/py.typed" in files
    assert any(path.endswith(".dist-info/licenses/LICENSE") for path in files)


@pytest.mark.parametrize("name", ["demijohn-cache", "demijohn-session"])
def test_redis_is_only_an_extra(dist, name):
    requires = metadata_of(wheel_of(dist, name)).get_all("Requires-Dist") or []
    redis = [line for line in requires if line.startswith("redis")]
    assert redis and all(line.endswith('extra == "redis"') for line in redis), requires


def fresh_venv(path: Path, *wheels: Path) -> Path:
    """A new virtualenv at ``path`` with exactly ``wheels`` and their dependencies; its python."""
    run([UV, "venv", "--quiet", "--python", sys.executable, path])
    python = path / "bin" / "python"
    run([UV, "pip", "install", "--quiet", "--python", python, *wheels])
    run([UV, "pip", "check", "--python", python])
    return python


def test_the_core_wheel_installs_alone_with_no_dependency(dist, tmp_path):
    python = fresh_venv(tmp_path / "venv", wheel_of(dist, "demijohn"))
    installed = json.loads(run([UV, "pip", "list", "--format", "json", "--python", python]).stdout)
    assert [(package["name"], package["version"]) for package in installed] == [("demijohn", source_version("demijohn"))]
    version = run([python.parent / "demijohn", "--version"]).stdout.strip()
    assert version == f"demijohn {source_version('demijohn')}"


def smoke_cache(port: int) -> None:
    first, second = fetch(port, path="/slow"), fetch(port, path="/slow")
    assert first[0] == second[0] == 200 and first[2] == second[2] == "computed 1 time(s)"
    assert (first[1]["X-Cache"], second[1]["X-Cache"]) == ("MISS", "HIT")


def smoke_session(port: int) -> None:
    status, headers, body = fetch(port, path="/visits")
    assert (status, body) == (200, "visit 1")
    cookie = headers["Set-Cookie"].split(";")[0]
    assert fetch(port, path="/visits", headers={"Cookie": cookie})[2] == "visit 2"


def smoke_sqlalchemy(port: int) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for text in ("milk", "eggs"):
        assert fetch(port, "POST", "/notes", f"text={text}".encode(), form)[:3:2] == (200, "saved")
    assert fetch(port, path="/notes")[2] == "milk, eggs"


def smoke_jsonschema(port: int) -> None:
    as_json = {"Content-Type": "application/json"}
    assert fetch(port, "POST", "/items", b'{"name": "pen"}', as_json)[:3:2] == (200, '{"created": "pen"}')
    status, _, body = fetch(port, "POST", "/items", b"{}", as_json)
    assert status == 422 and "name" in body
    assert '"/items"' in fetch(port, path="/openapi.json")[2]


SMOKES: dict[str, Callable[[int], None]] = {
    "demijohn-cache": smoke_cache,
    "demijohn-session": smoke_session,
    "demijohn-sqlalchemy": smoke_sqlalchemy,
    "demijohn-jsonschema": smoke_jsonschema,
}


@pytest.fixture(scope="session")
def plugin_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The python of a fresh virtualenv holding the core's wheel and plugin ``name``'s, made once."""
    made: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in made:
            made[name] = fresh_venv(tmp_path_factory.mktemp(name) / "venv", wheel_of(dist, "demijohn"),
                                    wheel_of(dist, name))
        return made[name]

    return make


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_installs_alone_with_the_core_and_serves_without_redis(plugin_venv, tmp_path, name):
    python = plugin_venv(name)
    no_redis = run([python, "-c", "import importlib.util; print(importlib.util.find_spec('redis'))"])
    assert no_redis.stdout.strip() == "None", f"{name} pulled in the Redis client"
    app_module = name.split("-")[1] + "_app"
    shutil.copy(SMOKE_APPS / f"{app_module}.py", tmp_path)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    with Server([python.parent / "demijohn", "--bind", f"127.0.0.1:{port}", f"{app_module}:app"], port,
                tmp_path, env) as server:
        server.wait_serving()
        SMOKES[name](port)


REDIS_BACKEND = {
    "demijohn-cache": "from demijohn_cache import RedisBackend; RedisBackend('redis://127.0.0.1:6379/0')",
    "demijohn-session": "from demijohn_session import RedisBackend; "
                        "RedisBackend('redis://127.0.0.1:6379/0', secret_or_secrets='s' * 32)",
}


@pytest.mark.parametrize("name", REDIS_BACKEND)
def test_redis_backend_without_the_extra_says_which_extra_to_install(plugin_venv, name):
    done = subprocess.run([plugin_venv(name), "-c", REDIS_BACKEND[name]], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        f"ModuleNotFoundError: RedisBackend needs redis, which is not installed: "
        f"pip install '{name}[redis]'")
