"""The auto-reloader: the file watcher in-process, then the parent/child pair for real, in
subprocesses on a free loopback port, each stopped by its test in bounded time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from demijohn import reloader
from demijohn.reloader import FileWatcher, WatchfilesWatcher, make_watcher, module_files, traceback_files
from serving_apps.harness import Served, child_env, free_port, process_alive, try_get, wait_for

INTERVAL = 0.2
WAIT = 15.0  # generous bound for anything that should take a few intervals

try:
    import watchfiles  # noqa: F401

    HAVE_WATCHFILES = True
except ImportError:
    HAVE_WATCHFILES = False

needs_watchfiles = pytest.mark.skipif(not HAVE_WATCHFILES, reason="the optional watchfiles package is not "
                                      "installed (pip install 'demijohn[watchfiles]'); polling is tested instead")

APP = '''
import os
from demijohn import App

app = App()
MESSAGE = "first"


@app.get("/")
def index():
    return MESSAGE


@app.get("/pid")
def pid():
    return str(os.getpid())
'''


# -- the watcher, in-process -----------------------------------------------------------------------------
@pytest.fixture
def watched(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("x = 1\n")
    return path


@pytest.fixture
def lockfile(tmp_path):
    path = tmp_path / "parent.lock"
    path.touch()
    return path


def watch(watcher_class, lockfile, files):
    watcher = watcher_class(str(lockfile) if lockfile else None, INTERVAL, files=lambda: set(map(str, files)))
    watcher.start()
    return watcher


@pytest.mark.parametrize("watcher_class", [FileWatcher, pytest.param(WatchfilesWatcher, marks=needs_watchfiles)])
def test_watcher_reports_reload_when_a_watched_file_changes(watcher_class, watched):
    watcher = watch(watcher_class, None, [watched])
    try:
        time.sleep(INTERVAL)  # let it start watching: an edit before that is in its baseline
        watched.write_text("x = 22\n")
        assert watcher.changed.wait(WAIT) and watcher.status == "reload"
    finally:
        watcher.stop()


@pytest.mark.parametrize("watcher_class", [FileWatcher, pytest.param(WatchfilesWatcher, marks=needs_watchfiles)])
def test_watcher_reports_reload_when_a_watched_file_is_deleted(watcher_class, watched):
    watcher = watch(watcher_class, None, [watched])
    try:
        time.sleep(INTERVAL)
        watched.unlink()
        assert watcher.changed.wait(WAIT) and watcher.status == "reload"
    finally:
        watcher.stop()


def test_watcher_sees_a_file_added_to_the_watched_set_later(tmp_path, watched):
    later = tmp_path / "later.py"
    later.write_text("y = 1\n")
    files = [watched]
    watcher = watch(FileWatcher, None, files)
    try:
        files.append(later)  # a module imported after the watcher started
        time.sleep(INTERVAL * 3)
        later.write_text("y = 22\n")
        assert watcher.changed.wait(WAIT) and watcher.status == "reload"
    finally:
        watcher.stop()


@pytest.mark.parametrize("watcher_class", [FileWatcher, pytest.param(WatchfilesWatcher, marks=needs_watchfiles)])
def test_watcher_reports_exit_when_the_lock_file_disappears(watcher_class, watched, lockfile):
    watcher = watch(watcher_class, lockfile, [watched])
    try:
        lockfile.unlink()
        assert watcher.changed.wait(WAIT) and watcher.status == "exit"
    finally:
        watcher.stop()


def test_watcher_reports_exit_when_the_lock_file_goes_stale(watched, lockfile):
    watcher = watch(FileWatcher, lockfile, [watched])
    try:
        long_ago = time.time() - watcher.stale_after - 60
        os.utime(lockfile, (long_ago, long_ago))
        assert watcher.changed.wait(WAIT) and watcher.status == "exit"
    finally:
        watcher.stop()


def test_watcher_stays_quiet_while_nothing_changes(watched, lockfile):
    watcher = watch(FileWatcher, lockfile, [watched])
    try:
        assert not watcher.changed.wait(INTERVAL * 4) and watcher.status is None
    finally:
        watcher.stop()


def test_watcher_calls_on_change_once(watched):
    calls = []
    watcher = FileWatcher(None, INTERVAL, on_change=lambda: calls.append(1), files=lambda: {str(watched)})
    with watcher:
        watched.write_text("x = 333\n")
        watcher.changed.wait(WAIT)
        watcher.join(WAIT)
    assert calls == [1]


def test_make_watcher_polls_when_asked_to(monkeypatch):
    monkeypatch.setenv("DEMIJOHN_RELOADER", "poll")
    assert type(make_watcher(None, INTERVAL)) is FileWatcher


@needs_watchfiles
def test_make_watcher_uses_watchfiles_when_installed(monkeypatch):
    monkeypatch.delenv("DEMIJOHN_RELOADER", raising=False)
    assert type(make_watcher(None, INTERVAL)) is WatchfilesWatcher


def test_module_files_are_the_sources_of_loaded_modules():
    assert reloader.__file__ in module_files()


def test_traceback_files_include_the_file_of_a_syntax_error(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("def oops(:\n")
    with pytest.raises(SyntaxError) as caught:
        compile(broken.read_text(), str(broken), "exec")
    assert str(broken) in traceback_files(caught.value)


def test_child_command_repeats_interpreter_options_and_dash_m():
    shown = subprocess.run([sys.executable, "-X", "utf8", "-m", "showcommand", "--flag", "x"], env=child_env(),
                           capture_output=True, text=True, timeout=30)
    assert json.loads(shown.stdout) == [sys.executable, "-X", "utf8", "-m", "showcommand", "--flag", "x"]


# -- the parent and the child, for real ---------------------------------------------------------------------
@pytest.fixture
def project(tmp_path):
    """A project directory holding ``reloadapp.py``; lock files land in its ``tmp``."""
    (tmp_path / "reloadapp.py").write_text(APP)
    (tmp_path / "tmp").mkdir()
    return tmp_path


def start_reloader(project: Path, port: int, watcher: str = "poll") -> Served:
    env = child_env(project)
    env["TMPDIR"] = str(project / "tmp")
    env["DEMIJOHN_RELOADER"] = watcher
    return Served(["-m", "demijohn", "--reload", "--interval", str(INTERVAL), "--bind", f"127.0.0.1:{port}",
                   "reloadapp:app"], cwd=project, env=env, log_dir=project)


def edit(project: Path, old: str, new: str) -> None:
    path = project / "reloadapp.py"
    path.write_text(path.read_text().replace(old, new))


def lock_files(project: Path) -> list[Path]:
    return list((project / "tmp").glob("demijohn.*.lock"))


@pytest.mark.parametrize("watcher", ["poll", pytest.param("watchfiles", marks=needs_watchfiles)])
def test_reload_serves_the_edited_module(project, watcher):
    port = free_port()
    with start_reloader(project, port, watcher) as served:
        served.wait_serving(("127.0.0.1", port))
        edit(project, '"first"', '"second version"')
        answer = wait_for(lambda: try_get(("127.0.0.1", port)) == (200, "second version"), WAIT)
        assert answer, served.output


def test_reload_survives_a_syntax_error_and_serves_again_once_fixed(project):
    port = free_port()
    with start_reloader(project, port) as served:
        served.wait_serving(("127.0.0.1", port))
        edit(project, "def index():", "def index(:")
        assert wait_for(lambda: "the app failed to start" in served.output, WAIT), served.output
        assert served.process.poll() is None and "SyntaxError" in served.output
        edit(project, "def index(:", "def index():")
        edit(project, '"first"', '"fixed"')
        assert wait_for(lambda: try_get(("127.0.0.1", port)) == (200, "fixed"), WAIT), served.output


def test_ctrl_c_stops_parent_and_child_and_removes_the_lock_file(project):
    port = free_port()
    with start_reloader(project, port) as served:
        child = int(served.wait_serving(("127.0.0.1", port), "/pid")[1])
        assert lock_files(project)
        os.killpg(served.process.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
        assert served.process.wait(timeout=WAIT) == 0
        assert wait_for(lambda: not process_alive(child), WAIT) and lock_files(project) == []


def test_sigterm_to_the_parent_stops_the_child_and_removes_the_lock_file(project):
    port = free_port()
    with start_reloader(project, port) as served:
        child = int(served.wait_serving(("127.0.0.1", port), "/pid")[1])
        served.process.terminate()
        served.process.wait(timeout=WAIT)
        assert wait_for(lambda: not process_alive(child), WAIT) and lock_files(project) == []


def test_child_exits_when_its_parent_dies(project):
    port = free_port()
    with start_reloader(project, port) as served:
        child = int(served.wait_serving(("127.0.0.1", port), "/pid")[1])
        served.process.kill()  # no chance to clean up: the child must notice on its own
        served.process.wait(timeout=WAIT)
        assert wait_for(lambda: not process_alive(child), WAIT), served.output


def test_a_reload_starts_a_new_child_process(project):
    port = free_port()
    with start_reloader(project, port) as served:
        first = served.wait_serving(("127.0.0.1", port), "/pid")[1]
        edit(project, '"first"', '"again"')
        wait_for(lambda: try_get(("127.0.0.1", port)) == (200, "again"), WAIT)
        assert served.wait_serving(("127.0.0.1", port), "/pid")[1] != first


EXITING_SCRIPT = '''
import os, sys
import demijohn

if os.environ.get("BOTTLE_CHILD"):
    {child_does}
demijohn.run(demijohn.App(), reloader=True, interval={interval}, port=1, quiet=True)
'''


def run_script(project: Path, child_does: str) -> subprocess.CompletedProcess[str]:
    script = project / "script.py"
    script.write_text(EXITING_SCRIPT.format(child_does=child_does, interval=INTERVAL))
    env = child_env(project)
    env["TMPDIR"] = str(project / "tmp")
    return subprocess.run([sys.executable, str(script)], cwd=project, env=env, capture_output=True, text=True,
                          timeout=60)


def test_parent_exits_with_the_status_of_a_child_that_exits_otherwise(project):
    assert run_script(project, "sys.exit(5)").returncode == 5


def test_parent_removes_the_lock_file_when_the_child_exits_otherwise(project):
    run_script(project, "sys.exit(5)")
    assert lock_files(project) == []


def test_parent_reports_a_child_killed_by_a_signal_as_128_plus_the_signal(project):
    assert run_script(project, "os.kill(os.getpid(), 9)").returncode == 128 + 9


def test_child_sees_the_bottle_child_flag_and_lock_file(project):
    done = run_script(project, "sys.exit(7 if os.path.exists(os.environ['BOTTLE_LOCKFILE']) else 8)")
    assert done.returncode == 7
