"""Standing in for Bottle: install_as_bottle(), the bottle.ext / demijohn.ext import hook,
``python -m demijohn --as-bottle``, and the lazily loaded compatibility names.

Anything that puts a module named ``bottle`` in ``sys.modules`` runs in a subprocess, so
this test process never stands in for Bottle."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from serving_apps.harness import Served, child_env, free_port


def run_python(code: str, *paths: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``paths`` importable; returns the result."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            env=child_env(*paths), timeout=60)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def make_package(root: Path, name: str, **attributes: str) -> None:
    """A throwaway importable module ``name`` under ``root`` with string attributes."""
    root.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{key} = {value!r}\n" for key, value in attributes.items())
    (root / f"{name}.py").write_text(f"import bottle\nBOTTLE = bottle\n{body}")


# -- install_as_bottle ------------------------------------------------------------------------------
def test_import_bottle_gives_demijohn_after_install_as_bottle():
    run_python("""
        import demijohn
        stand_in = demijohn.install_as_bottle()
        import bottle
        assert bottle is stand_in
        assert bottle.request is demijohn.request and bottle.Bottle is demijohn.App
        assert bottle.route is demijohn.route and bottle.HTTPError is demijohn.HTTPError
        assert bottle.__name__ == "bottle" and bottle.__version__ == "0.13.4"
        assert demijohn.__version__ != bottle.__version__
    """)


def test_third_party_module_importing_bottle_runs_on_demijohn(tmp_path):
    make_package(tmp_path, "thirdparty")
    run_python("""
        import demijohn
        demijohn.install_as_bottle()
        import thirdparty
        assert thirdparty.BOTTLE.Bottle is demijohn.App
    """, tmp_path)


def test_attributes_set_on_bottle_land_on_demijohn():
    run_python("""
        import demijohn
        bottle = demijohn.install_as_bottle()
        bottle.my_setting = 5
        assert demijohn.my_setting == 5
        del bottle.my_setting
        assert not hasattr(demijohn, "my_setting")
        bottle.debug(True)
        assert bottle.DEBUG is True and demijohn.DEBUG is True
    """)


def test_install_as_bottle_twice_is_harmless():
    run_python("""
        import demijohn
        first = demijohn.install_as_bottle()
        assert demijohn.install_as_bottle() is first
        from demijohn.as_bottle import is_installed_as_bottle
        assert is_installed_as_bottle()
    """)


def test_install_as_bottle_refuses_when_the_real_bottle_is_imported(tmp_path):
    (tmp_path / "bottle.py").write_text("REAL = True\n")  # stands for the real Bottle
    result = run_python("""
        import bottle
        import demijohn
        try:
            demijohn.install_as_bottle()
        except demijohn.BottleAlreadyImportedError as error:
            print(error)
        import sys
        assert sys.modules["bottle"].REAL
    """, tmp_path)
    assert "already imported" in result.stdout and "before anything imports bottle" in result.stdout


def test_refusal_is_an_import_error_and_a_framework_error():
    from demijohn import BottleAlreadyImportedError, BottleException

    assert issubclass(BottleAlreadyImportedError, ImportError)
    assert issubclass(BottleAlreadyImportedError, BottleException)


def test_exception_classes_report_module_bottle_after_install():
    result = run_python("""
        import demijohn
        demijohn.install_as_bottle()
        print(str(demijohn.HTTPError), str(demijohn.RouteBuildError))
    """)
    assert result.stdout.split() == ["<class", "'bottle.HTTPError'>", "<class", "'bottle.RouteBuildError'>"]


def test_exception_classes_keep_their_module_without_install():
    import demijohn

    assert demijohn.HTTPError.__module__ == "demijohn.response"


# -- the ext import hook ---------------------------------------------------------------------------
def test_bottle_ext_imports_the_bottle_plugin_package(tmp_path):
    make_package(tmp_path, "bottle_throwaway", KIND="bottle")
    run_python("""
        import demijohn
        demijohn.install_as_bottle()
        from bottle.ext import throwaway
        import bottle.ext.throwaway
        import bottle_throwaway
        assert throwaway is bottle_throwaway and bottle.ext.throwaway is bottle_throwaway
        from bottle.ext.throwaway import KIND
        assert KIND == "bottle"
    """, tmp_path)


def test_demijohn_package_is_preferred_over_the_bottle_one(tmp_path):
    make_package(tmp_path, "bottle_twin", KIND="bottle")
    (tmp_path / "demijohn_twin.py").write_text("KIND = 'demijohn'\n")
    run_python("""
        import demijohn
        demijohn.install_as_bottle()
        from bottle.ext import twin
        from demijohn.ext import twin as same
        assert twin.KIND == "demijohn" and same is twin
    """, tmp_path)


def test_demijohn_ext_works_without_standing_in_for_bottle(tmp_path):
    (tmp_path / "demijohn_alone.py").write_text("KIND = 'demijohn'\n")
    run_python("""
        import sys
        from demijohn.ext import alone
        import demijohn.ext.alone
        assert alone.KIND == "demijohn" and "bottle" not in sys.modules
    """, tmp_path)


def test_a_missing_ext_package_is_an_import_error(tmp_path):
    result = run_python("""
        import demijohn
        demijohn.install_as_bottle()
        try:
            import bottle.ext.nosuchplugin
        except ImportError as error:
            print(type(error).__name__)
        try:
            from demijohn.ext import nosuchplugin
        except ImportError as error:
            print(type(error).__name__)
    """)
    assert result.stdout.split() == ["ModuleNotFoundError", "ImportError"]


def test_an_import_error_inside_a_plugin_package_is_not_hidden(tmp_path):
    (tmp_path / "bottle_broken.py").write_text("import no_such_dependency_here\n")
    result = run_python("""
        import demijohn
        demijohn.install_as_bottle()
        try:
            from bottle.ext import broken
        except ModuleNotFoundError as error:
            print(error.name)
    """, tmp_path)
    assert result.stdout.strip() == "no_such_dependency_here"


def test_ext_attribute_access_explains_what_to_install():
    import demijohn.ext

    with pytest.raises(AttributeError, match="install demijohn-nosuch"):
        demijohn.ext.nosuch  # noqa: B018


def test_ext_module_is_a_real_file():
    import os

    import demijohn

    assert os.path.isfile(demijohn.ext.__file__)


# -- the command line ------------------------------------------------------------------------------
BOTTLE_APP = """
import bottle

app = bottle.Bottle()


@app.get("/")
def index():
    return "served by " + bottle.__name__ + " " + str(bottle.request.app is app)
"""


def test_cli_as_bottle_serves_an_unmodified_bottle_app(tmp_path):
    (tmp_path / "bottleapp.py").write_text(BOTTLE_APP)
    port = free_port()
    args = ["-m", "demijohn", "--as-bottle", "--bind", f"127.0.0.1:{port}", "bottleapp:app"]
    with Served(args, cwd=tmp_path, env=child_env(tmp_path), log_dir=tmp_path) as served:
        assert served.wait_serving(("127.0.0.1", port)) == (200, "served by bottle True")


def test_cli_without_as_bottle_cannot_import_bottle(tmp_path):
    (tmp_path / "bottleapp.py").write_text(BOTTLE_APP)
    result = subprocess.run([sys.executable, "-m", "demijohn", "--routes", "bottleapp:app"], capture_output=True,
                            text=True, cwd=tmp_path, env=child_env(tmp_path), timeout=60)
    assert result.returncode != 0 and "bottle" in result.stderr


def test_cli_as_bottle_lists_the_routes_of_a_bottle_app(tmp_path):
    (tmp_path / "bottleapp.py").write_text(BOTTLE_APP)
    result = subprocess.run([sys.executable, "-m", "demijohn", "--as-bottle", "--routes", "bottleapp:app"],
                            capture_output=True, text=True, cwd=tmp_path, env=child_env(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "GET     /" in result.stdout


# -- the compatibility names load lazily -------------------------------------------------------------
def test_import_demijohn_does_not_load_the_compat_module_or_bottle():
    run_python("""
        import sys
        import demijohn
        assert "demijohn.compat" not in sys.modules and "demijohn.ext" not in sys.modules
        assert "bottle" not in sys.modules and "demijohn.adapters" not in sys.modules
        from demijohn import tob
        assert "demijohn.compat" in sys.modules and tob("x") == b"x"
    """)


def test_unknown_names_are_still_attribute_errors():
    import demijohn

    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        demijohn.no_such_name  # noqa: B018
    with pytest.raises(ImportError):
        exec("from demijohn import no_such_name")  # noqa: S102


def test_import_bottle_submodule_never_loads_demijohn_twice():
    run_python("""
        import sys
        import demijohn
        demijohn.install_as_bottle()
        try:
            import bottle.compat  # demijohn has a compat module; bottle has none
        except ImportError:
            pass
        assert "bottle.compat" not in sys.modules
        import bottle.ext
        assert bottle.ext is demijohn.ext
    """)
