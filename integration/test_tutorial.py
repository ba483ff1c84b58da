"""docs/tutorial.md, followed top to bottom as a reader would: in a fresh project folder next to
a copy of the checkout (``../demijohn``), with a fresh virtualenv made by the tutorial's own
Install step.

- A ```` ```sh ```` block runs in bash in the project folder; once the Install step made
  ``.venv``, every step runs with it activated, as the tutorial tells the reader to do.
- A ```` ```console ```` block: each ``$ command`` runs the same way, and the lines after it
  are what it must print (stdout and stderr, as a terminal shows them).
- The ```` ```python ```` blocks, in order, are the tutorial's one program: it runs at the end
  with the virtualenv's python, in the project folder (as a module, not ``__main__``).
- HTML comments tell what a reader does with the next block: ``<!-- tutorial: save FILE -->``,
  ``append FILE`` and ``replace FUNCTION in FILE`` write the Python block into the file;
  ``serve URL`` runs the shell block in the background (a terminal of its own) and waits until
  URL answers; ``stop`` stops it (Ctrl-C). After a file changes under a server started with
  ``--reload``, the next step waits for the server to have restarted.

The one change to what is written: port 8080 becomes a free port (``--bind`` is added to
``python -m demijohn``), so the test can run beside other servers.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from support import ROOT, Server, free_port, run

TUTORIAL = ROOT / "docs" / "tutorial.md"
STEP = re.compile(r"^<!-- tutorial: (?P<directive>.*?) -->[ \t]*$|^```(?P<kind>\w+)[ \t]*\n(?P<body>.*?)^```[ \t]*$",
                  re.MULTILINE | re.DOTALL)
NOT_COPIED = shutil.ignore_patterns(".git", ".tox", ".venv", ".venv-demo", "artifacts", "build", "dist", "site",
                                    "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "*.sqlite3", "node_modules")
STEP_TIMEOUT = 900  # seconds: the Install step downloads and builds packages


@dataclass
class Step:
    """One block of the page, with the directive written just before it (if any)."""

    line: int
    kind: str  # sh, console, python, ... or "directive" for a directive with no block after it
    body: str
    directive: str = ""


def steps_of(page: Path) -> list[Step]:
    """The blocks and directives of ``page``, in order; a directive joins the block right after it."""
    steps: list[Step] = []
    pending: list[tuple[int, str]] = []
    text = page.read_text(encoding="utf-8")
    for match in STEP.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if match["directive"] is not None:
            pending.append((line, match["directive"]))
            continue
        for directive_line, directive in pending[:-1]:
            steps.append(Step(directive_line, "directive", "", directive))
        steps.append(Step(line, match["kind"], match["body"], pending[-1][1] if pending else ""))
        pending = []
    return steps


class Reader:
    """Does what the tutorial says, in ``project``, serving on ``port`` instead of 8080."""

    def __init__(self, project: Path, port: int) -> None:
        self.project, self.port = project, port
        self.env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
        self.server: Server | None = None
        self.reloading = False  # whether the server restarts when a file changes
        self.program: list[str] = []

    def localize(self, text: str) -> str:
        """``text`` with the free port in place of 8080."""
        text = text.replace("python -m demijohn ", f"python -m demijohn --bind 127.0.0.1:{self.port} ")
        return text.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}")

    def shell(self, command: str) -> str:
        """``command`` as bash runs it in the project folder, the virtualenv activated once it exists."""
        activate = ". .venv/bin/activate\n" if (self.project / ".venv").exists() else ""
        return f"set -eo pipefail\n{activate}{self.localize(command)}"

    def do(self, step: Step) -> None:
        """Carry out one step; a failure names the line of the tutorial it comes from."""
        where = f"{TUTORIAL.name}, line {step.line}"
        action, _, argument = step.directive.partition(" ")
        if action == "stop":
            self.stop()
        elif action == "serve":
            self.serve(step.body, argument, where)
        elif step.kind == "sh":
            done = subprocess.run(["bash", "-c", self.shell(step.body)], cwd=self.project, env=self.env, text=True,
                                  capture_output=True, timeout=STEP_TIMEOUT, stdin=subprocess.DEVNULL)
            assert done.returncode == 0, f"{where}: the step failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        elif step.kind == "console":
            self.console(step.body, where)
        elif step.kind == "python":
            self.program.append(step.body)
            if action:
                self.edit(action, argument, step.body, where)

    def console(self, body: str, where: str) -> None:
        """Run each ``$ command`` of a console block and compare what it prints with the lines shown."""
        for block in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
            command, _, expected = block.partition("\n")
            done = subprocess.run(["bash", "-c", self.shell(command)], cwd=self.project, env=self.env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            assert done.stdout.strip() == self.localize(expected).strip(), f"{where}: `{command}` printed:\n{done.stdout}"

    def edit(self, action: str, argument: str, source: str, where: str) -> None:
        """Write ``source`` into a file as the reader is told to: save, append or replace a function."""
        banners = self.server.output.count("Listening on") if self.server and self.reloading else 0
        if action == "save":
            (self.project / argument).write_text(source)
        elif action == "append":
            path = self.project / argument
            path.write_text(path.read_text().rstrip("\n") + "\n\n\n" + source)
        elif action == "replace":
            function, _, filename = argument.partition(" in ")
            replace_function(self.project / filename, function, source, where)
        else:
            raise AssertionError(f"{where}: unknown directive {action!r}")
        if banners:
            self.wait_for_reload(banners, where)

    def wait_for_reload(self, banners: int, where: str) -> None:
        """Wait until the server printed its banner once more (it restarted) and answers again."""
        assert self.server is not None
        deadline = time.monotonic() + 30
        while self.server.output.count("Listening on") <= banners:
            assert time.monotonic() < deadline, f"{where}: the server did not reload:\n{self.server.output}"
            time.sleep(0.1)
        self.server.wait_serving()

    def serve(self, command: str, url: str, where: str) -> None:
        """Start ``command`` in the background and wait until ``url`` answers."""
        self.stop()
        self.server = Server(["bash", "-c", self.shell(command)], self.port, self.project, self.env)
        self.reloading = "--reload" in command
        path = "/" + self.localize(url).split("/", 3)[-1]
        self.server.wait_serving(path)

    def stop(self) -> None:
        """Stop the server running in the background, as Ctrl-C in its terminal would."""
        if self.server is not None:
            self.server.stop()
            self.server = None

    def run_program(self) -> None:
        """The tutorial's Python samples, in order, as one program with the virtualenv's python."""
        (self.project / "tutorial_program.py").write_text("\n\n".join(self.program))
        run([self.project / ".venv" / "bin" / "python", "-c",
             "import runpy; runpy.run_path('tutorial_program.py', run_name='tutorial')"], cwd=self.project, env=self.env)


def replace_function(path: Path, name: str, source: str, where: str) -> None:
    """Replace the definition of function ``name`` in ``path`` (its decorators included) with ``source``."""
    text = path.read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            lines = text.splitlines(keepends=True)
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            path.write_text("".join(lines[: first - 1]) + source + "".join(lines[node.end_lineno:]))
            return
    raise AssertionError(f"{where}: {path.name} has no function {name} to replace")


def test_the_page_has_shell_steps_a_server_and_a_program():
    kinds = [(step.kind, step.directive.split(" ")[0]) for step in steps_of(TUTORIAL)]
    assert ("sh", "") in kinds and ("sh", "serve") in kinds and ("console", "") in kinds
    assert ("python", "save") in kinds and ("python", "replace") in kinds


def test_the_tutorial_runs_top_to_bottom_as_written(tmp_path):
    shutil.copytree(ROOT, tmp_path / "demijohn", ignore=NOT_COPIED)
    project = tmp_path / "project"
    project.mkdir()
    reader = Reader(project, free_port())
    try:
        for step in steps_of(TUTORIAL):
            reader.do(step)
    finally:
        reader.stop()
    reader.run_program()
