"""The command line: ``python -m demijohn [options] package.module:app`` (or the ``demijohn``
console script) serves an app; ``--routes`` lists its routes and their plugin chains instead."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

from .datastructures import ConfigDict
from .errors import BottleException
from .ports import check_port

class UsageError(BottleException, ValueError):
    """A command-line option has a value the CLI cannot use; the message names it."""


DESCRIPTION = """Serve a WSGI app. APP is 'package.module:app' (an App or any WSGI callable), 'package.module'
(the routes its module-level decorators added to the default app) or 'package.module:make_app()'.
Run it from your project's root: the current directory is put on the import path."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m demijohn`` (``--help`` explains each option)."""
    from . import __version__
    from .server import server_names

    parser = argparse.ArgumentParser(prog="demijohn", description=DESCRIPTION)
    parser.add_argument("app", nargs="?", metavar="APP", help="the app to serve, as 'package.module:app'")
    parser.add_argument("-b", "--bind", metavar="ADDRESS", default="127.0.0.1:8080",
                        help="where to listen: HOST, HOST:PORT, [IPV6]:PORT or unix:/path/to.sock "
                             "(default: 127.0.0.1:8080)")
    parser.add_argument("-s", "--server", default="wsgiref", metavar="NAME",
                        help=f"the server adapter: {', '.join(server_names)} or 'package.module:Class' "
                             "(default: wsgiref)")
    parser.add_argument("--reload", action="store_true",
                        help="restart the server when a source file changes (for development)")
    parser.add_argument("--interval", type=float, default=1.0, metavar="SECONDS",
                        help="with --reload: how often to check the files for changes (default: 1)")
    parser.add_argument("--debug", action="store_true",
                        help="debug mode: tracebacks in error pages, warnings shown")
    parser.add_argument("-p", "--plugin", action="append", default=[], metavar="TARGET",
                        help="install a plugin, given as 'package.module:plugin' or 'package.module:Plugin()' "
                             "(repeatable)")
    parser.add_argument("-c", "--conf", action="append", default=[], metavar="FILE",
                        help="load app config from an INI file (repeatable; later files win)")
    parser.add_argument("-C", "--param", action="append", default=[], metavar="KEY=VALUE",
                        help="set an app config value; a KEY alone sets it to true (repeatable)")
    parser.add_argument("--as-bottle", action="store_true",
                        help="make `import bottle` give demijohn before APP loads (demijohn.install_as_bottle()), "
                             "so a Bottle app and its plugins run unchanged")
    parser.add_argument("--routes", action="store_true",
                        help="print every route (method, rule, name, callback) and its plugin chain, then exit")
    parser.add_argument("--version", action="version", version=f"demijohn {__version__}")
    return parser


def parse_bind(address: str) -> tuple[str, int]:
    """Split ``HOST[:PORT]`` (``[::1]:8080``, ``unix:/run/app.sock``) into host and port;
    raises :class:`UsageError` for a port that is not a number from 0 to 65535."""
    if address.startswith("unix:"):
        if len(address) == 5:
            raise UsageError("unix: needs a socket path, as in unix:/tmp/app.sock")
        return address, 0
    host, port = address, "8080"
    if ":" in address and address.rfind("]") < address.rfind(":"):
        host, port = address.rsplit(":", 1)
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(f"port {port!r} is not a number from 0 to 65535")
    return host, int(port)


def load_config(files: Sequence[str], params: Sequence[str]) -> ConfigDict:
    """Config from INI ``files`` then ``KEY=VALUE`` ``params``; raises :class:`UsageError`
    naming the offending file or parameter."""
    config = ConfigDict()
    for filename in files:
        import configparser  # only with -c: a start without it answers sooner (*coldstart*)

        try:
            config.load_config(filename)
        except OSError as error:
            raise UsageError(f"cannot read config file {filename!r}: {error.strerror}") from None
        except configparser.Error as error:
            raise UsageError(f"config file {filename!r} is not valid INI: {error}".replace("\n", " ")) from None
    for param in params:
        key, has_value, value = param.partition("=")
        if not key.strip():
            raise UsageError(f"--param {param!r} has no key; write KEY=VALUE")
        config[key.strip()] = value if has_value else True
    return config


def describe_routes(app: Any) -> list[str]:
    """One line per route (method, rule, name, callback), each followed by its plugin
    chain from :meth:`Route.explain`, indented."""
    lines = []
    for route in getattr(app, "routes", ()):
        callback = route.get_undecorated_callback()
        where = f"{getattr(callback, '__module__', '?')}.{getattr(callback, '__qualname__', repr(callback))}"
        lines.append(f"{route.method:<7} {route.rule}  name={route.name or '-'}  callback={where}")
        lines.extend(f"    {line}" for line in route.explain() or ["(no plugins)"])
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    from .runner import prepare_app, run, switch_debug

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.app:
        parser.error("no app given: name one as 'package.module:app'")
    if args.interval <= 0:
        parser.error(f"--interval must be a positive number of seconds, not {args.interval}")
    try:
        host, port = parse_bind(args.bind)
    except UsageError as error:
        parser.error(f"--bind {args.bind!r}: {error}")
    try:
        config = load_config(args.conf, args.param)
    except UsageError as error:
        parser.error(str(error))
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    if args.debug:
        switch_debug(True)
    try:
        if args.as_bottle:
            from .as_bottle import install_as_bottle

            install_as_bottle()
        if args.routes:
            app = prepare_app(args.app, plugins=args.plugin, config=config)
            print("\n".join(describe_routes(app)) or "(no routes)")
            return 0
        check_port(host, port)  # PortInUse: one line naming a free port for --bind, before any banner
        run(args.app, server=args.server, host=host, port=port, reloader=args.reload, interval=args.interval,
            plugins=args.plugin, config=config)
    except BottleException as error:  # ServerError, LoadError: one line says what to fix
        print(f"demijohn: error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # most often: the address is already in use
        print(f"demijohn: error: cannot serve on {args.bind}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
