"""The auto-reloader behind ``run(reloader=True)`` and ``python -m demijohn --reload``.

Two processes take part. The first one (the *parent*) never serves: it starts the same
command line again as a *child*, with ``BOTTLE_CHILD=true`` and ``BOTTLE_LOCKFILE`` (the
path of a lock file) in its environment, and touches the lock file every ``interval``
seconds while the child lives. The variable names are Bottle's, so code that checks
``os.environ.get('BOTTLE_CHILD')`` keeps working.

The child serves, while a watcher thread checks the source file of every loaded module
and the lock file. A changed or deleted module stops the server and the child exits with
status 3, which asks the parent for a fresh child; a lock file that is gone or stale (the
parent died) stops the child for good. Any other exit status of the child ends the parent
with the same status.

With ``python -m demijohn --reload pkg.mod:app`` an error while importing the app (a
syntax error just saved) is printed and the child waits for the next change. A script
that calls ``run(reloader=True)`` itself cannot be helped that way: if the script fails
before it reaches ``run()``, the child exits with status 1 and so does the parent.

Watching polls ``os.stat`` by default (no dependency). When the optional ``watchfiles``
package is installed (``pip install 'demijohn[watchfiles]'``) it waits for file-system
events instead.
"""

from __future__ import annotations

import _thread
import functools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from types import TracebackType
from typing import Any, Callable, Iterable

CHILD_FLAG = "BOTTLE_CHILD"
LOCKFILE_VARIABLE = "BOTTLE_LOCKFILE"
#: The exit status by which a child asks its parent to start a new child.
RELOAD_STATUS = 3


def is_child() -> bool:
    """Whether this process is a reloader child (the one that serves)."""
    return bool(os.environ.get(CHILD_FLAG)) and bool(os.environ.get(LOCKFILE_VARIABLE))


def module_files() -> set[str]:
    """The source files of every loaded module: what a change to means a reload."""
    files = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            files.add(path[:-1] if path.endswith((".pyc", ".pyo")) else path)
    return files


def traceback_files(error: BaseException) -> set[str]:
    """The files an exception passed through (and the file of a ``SyntaxError``): the
    files to watch when a module failed to import and so is not in ``sys.modules``."""
    files = {frame.filename for frame in traceback.extract_tb(error.__traceback__)}
    if isinstance(error, SyntaxError) and error.filename:
        files.add(error.filename)
    return {os.path.abspath(path) for path in files if os.path.isfile(path)}


def child_command() -> list[str]:
    """The command line of this process, to start the child with: the same interpreter,
    interpreter options and arguments, including ``-m package``."""
    return [sys.executable, *sys.orig_argv[1:]]


class FileWatcher(threading.Thread):
    """Polls the files of loaded modules and the parent's lock file every ``interval`` seconds.

    :attr:`status` becomes ``'reload'`` when a watched file changed or disappeared and
    ``'exit'`` when the lock file is gone or stale; then :attr:`changed` is set and
    ``on_change()`` (if given) is called once. Use it as a context manager around serving.
    """

    def __init__(self, lockfile: str | None, interval: float, on_change: Callable[[], Any] | None = None,
                 files: Callable[[], Iterable[str]] = module_files) -> None:
        super().__init__(name="demijohn-reloader", daemon=True)
        self.lockfile, self.interval, self.on_change, self.files = lockfile, interval, on_change, files
        self.status: str | None = None
        self.changed = threading.Event()
        self.extra_files: set[str] = set()
        self._stopped = threading.Event()
        self._parent = os.getppid()
        # A parent touches the lock file every `interval`; allow for a busy machine.
        self.stale_after = interval * 3 + 2
        self._mtimes: dict[str, float | None] = {}
        self._scan()

    def watched_files(self) -> set[str]:
        """Every file currently watched."""
        return set(self.files()) | self.extra_files

    def _scan(self) -> str | None:
        """Record new files; return a changed or deleted one."""
        for path in self.watched_files():
            try:
                mtime: float | None = os.stat(path).st_mtime
            except OSError:
                mtime = None
            if path not in self._mtimes:
                self._mtimes[path] = mtime
            elif self._mtimes[path] != mtime:
                return path
        return None

    def _parent_gone(self) -> bool:
        if self.lockfile is None:
            return False
        if os.getppid() != self._parent:  # re-parented: the parent died
            return True
        try:
            return os.stat(self.lockfile).st_mtime < time.time() - self.stale_after
        except OSError:
            return True

    def _finish(self, status: str) -> None:
        self.status = status
        self.changed.set()
        if self.on_change is not None:
            self.on_change()

    def run(self) -> None:
        """Watch until a change, a lost parent, or :meth:`stop`."""
        while not self._stopped.wait(self.interval):
            if self._parent_gone():
                return self._finish("exit")
            if self._scan() is not None:
                return self._finish("reload")

    def stop(self) -> None:
        """Stop watching (returns at once; the thread ends within one interval)."""
        self._stopped.set()

    def __enter__(self) -> FileWatcher:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class WatchfilesWatcher(FileWatcher):
    """A :class:`FileWatcher` that waits for file-system events through ``watchfiles``
    instead of polling; it still checks the lock file every ``interval``."""

    def run(self) -> None:
        """Watch the directories of the watched files until a change or a lost parent."""
        import watchfiles

        while not self._stopped.is_set():
            files, first = self.watched_files(), True
            directories = {os.path.dirname(path) for path in files if os.path.isdir(os.path.dirname(path))}
            for changes in watchfiles.watch(*directories, watch_filter=functools.partial(_is_in, files),
                                            stop_event=self._stopped, rust_timeout=max(int(self.interval * 1000), 50),
                                            yield_on_timeout=True, recursive=False, debounce=400, step=50,
                                            raise_interrupt=False):
                if self._parent_gone():
                    return self._finish("exit")
                # One stat pass per watch session: it records new files and catches an edit
                # made before the events started flowing; after that, events alone suffice.
                if changes or (first and self._scan() is not None):
                    return self._finish("reload")
                first = False
                if self.watched_files() - files:  # modules imported since: watch them too
                    break


def _is_in(files: set[str], change: Any, path: str) -> bool:
    return path in files


def make_watcher(lockfile: str | None, interval: float, on_change: Callable[[], Any] | None = None) -> FileWatcher:
    """A :class:`WatchfilesWatcher` when ``watchfiles`` is installed (and
    ``DEMIJOHN_RELOADER`` is not ``poll``), else a polling :class:`FileWatcher`."""
    if os.environ.get("DEMIJOHN_RELOADER", "").lower() != "poll":
        try:
            import watchfiles  # noqa: F401
        except ImportError:
            pass
        else:
            return WatchfilesWatcher(lockfile, interval, on_change)
    return FileWatcher(lockfile, interval, on_change)


def _interrupt_main() -> None:
    """Stop the server in the main thread as Ctrl-C would (a real signal wakes a blocking
    ``select``; ``interrupt_main`` alone waits for the next bytecode)."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
    else:
        _thread.interrupt_main()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def supervise(interval: float) -> int:
    """Be the parent: start children until one exits with a status other than 3, and
    return that status (0 after Ctrl-C or SIGTERM). Keeps and then removes the lock file."""
    handle, lockfile = tempfile.mkstemp(prefix="demijohn.", suffix=".lock")
    os.close(handle)
    environ = {**os.environ, CHILD_FLAG: "true", LOCKFILE_VARIABLE: lockfile}
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main_thread else None
    child: subprocess.Popen[bytes] | None = None
    try:
        while True:
            child = subprocess.Popen(child_command(), env=environ)
            while True:
                try:
                    status = child.wait(timeout=interval)
                    break
                except subprocess.TimeoutExpired:
                    if os.path.exists(lockfile):  # someone removed it: the child will see that and exit
                        os.utime(lockfile)
            if status != RELOAD_STATUS:
                return 128 - status if status < 0 else status  # killed by a signal: shell convention
    except KeyboardInterrupt:
        return 0
    finally:
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if os.path.exists(lockfile):
            os.unlink(lockfile)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def serve_child(prepare: Callable[[], Any], serve: Callable[[Any], None], interval: float) -> int:
    """Be the child: build the app with ``prepare()`` and ``serve(app)`` it until a watched
    file changes. Returns the exit status for the parent: 3 to be restarted, else 0.

    When ``prepare()`` fails (a syntax error just saved, say) the error is printed and the
    child waits for the next change instead of dying, so the parent keeps going.
    """
    lockfile = os.environ.get(LOCKFILE_VARIABLE)
    watcher = make_watcher(lockfile, interval)
    try:
        app = prepare()
    except Exception as error:
        watcher.extra_files |= traceback_files(error)
        watcher._scan()  # before telling anyone, so a fix saved right after the message is seen
        traceback.print_exc()
        print("demijohn: the app failed to start; fix the error and save to reload (Ctrl-C to quit).",
              file=sys.stderr, flush=True)
        with watcher:
            try:
                watcher.changed.wait()
            except KeyboardInterrupt:
                return 0
        return RELOAD_STATUS if watcher.status == "reload" else 0
    watcher._scan()  # the app's own modules, before the first request can be answered
    if threading.current_thread() is threading.main_thread():
        # A reload arrives as SIGINT; a shell starting us in the background may have ignored it.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    watcher.on_change = _interrupt_main
    with watcher:
        try:
            serve(app)
        except KeyboardInterrupt:
            pass
        except SystemExit as stop:
            if watcher.status is None and stop.code not in (None, 0):
                raise  # the server itself gave up: the parent exits with its status
    return RELOAD_STATUS if watcher.status == "reload" else 0
