"""Dictionaries with HTTP semantics: several values per key (``MultiDict``, ``FormsDict``),
case-insensitive headers (``HeaderDict``, ``WSGIHeaderDict``) and the configuration
dictionary (``ConfigDict``) with namespaces, metadata, overlays and change notification."""

from __future__ import annotations

import os
from collections.abc import KeysView, MutableMapping
from typing import Any, Callable, Iterator, TypeVar

from .headercheck import header_name, header_value

_MISSING: Any = object()
T = TypeVar("T")
MultiDictT = TypeVar("MultiDictT", bound="MultiDict")


# Bases come from collections.abc, not typing: a typing.MutableMapping base makes the class
# Generic, which doubles the cost of creating one (one per parsed query; *request access*).
class MultiDict(MutableMapping[str, Any]):
    """A dict that keeps every value given for a key. Plain access returns the last one;
    :meth:`getall` returns them all (query strings and forms may repeat a key). As in
    Bottle, assignment adds a value (``m['a'] = 1; m['a'] = 2`` keeps both) and
    :meth:`replace` drops the old ones."""

    __slots__ = ("dict",)  # one is made per parsed query/form: keep creation cheap (*request access*)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.dict: dict[str, list[Any]] = {}
        if not args and not kwargs:
            return
        pairs = args[0].items() if args and hasattr(args[0], "items") else (args[0] if args else ())
        for key, value in [*pairs, *kwargs.items()]:
            self.append(key, value)

    @classmethod
    def from_lists(cls: type[MultiDictT], values: dict[str, list[Any]]) -> MultiDictT:
        """Wrap a ready ``{key: [values]}`` dict without copying it (parsers use this)."""
        instance = cls.__new__(cls)
        instance.dict = values
        return instance

    def __len__(self) -> int:
        return len(self.dict)

    def __iter__(self) -> Iterator[str]:
        return iter(self.dict)

    def __contains__(self, key: object) -> bool:
        return key in self.dict

    def __delitem__(self, key: str) -> None:
        del self.dict[key]

    def __getitem__(self, key: str) -> Any:
        return self.dict[key][-1]

    def __setitem__(self, key: str, value: Any) -> None:
        self.append(key, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.allitems())!r})"

    def keys(self) -> KeysView[str]:
        return self.dict.keys()

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return (values[-1] for values in self.dict.values())

    def items(self) -> Iterator[tuple[str, Any]]:  # type: ignore[override]
        return ((key, values[-1]) for key, values in self.dict.items())

    def allitems(self) -> Iterator[tuple[str, Any]]:
        """Every ``(key, value)`` pair, repeated keys included."""
        return ((key, value) for key, values in self.dict.items() for value in values)

    # Bottle's names from its Python 2 days, still used by plugins
    iterallitems = allitems
    iterkeys = keys
    itervalues = values
    iteritems = items

    def get(self, key: str, default: Any = None, index: int = -1, type: Callable[[Any], Any] | None = None) -> Any:  # noqa: A002
        """Return the value at ``index`` for ``key`` (the last by default), converted with
        ``type`` when given; ``default`` if the key is missing or the conversion fails."""
        try:
            value = self.dict[key][index]
            return type(value) if type else value
        except (KeyError, IndexError, ValueError, TypeError):
            return default

    def append(self, key: str, value: Any) -> None:
        """Add a value to the list kept for ``key``."""
        self.dict.setdefault(key, []).append(value)

    def replace(self, key: str, value: Any) -> None:
        """Replace every value of ``key`` with this one."""
        self.dict[key] = [value]

    def getall(self, key: str) -> list[Any]:
        """Every value of ``key`` (an empty list when missing)."""
        return self.dict.get(key) or []

    getone = get
    getlist = getall


class FormsDict(MultiDict):
    """A :class:`MultiDict` for form and query data whose values are also attributes:
    ``request.query.page`` is the value, or ``''`` when missing (never an AttributeError).

    The dicts the request parses hold text already decoded as UTF-8
    (:class:`DecodedFormsDict`). A FormsDict you fill yourself behaves as Bottle's: its
    attributes, :meth:`getunicode` and :meth:`decode` turn bytes, and strings holding
    UTF-8 read as latin-1 (WSGI's "native strings"), into text with
    :attr:`input_encoding`; a value that does not decode reads as ``''`` (or the default).
    """

    # Slots, not an instance __dict__: one of these is made per parsed query (*request access*).
    __slots__ = ("_input_encoding", "_recode_unicode")
    _default_recode = True

    @property
    def input_encoding(self) -> str:
        """The encoding of values that are bytes or latin-1 "native strings" (``'utf-8'``)."""
        try:  # read through the slot, never through __getattr__ (which answers '' for any name)
            return str(FormsDict._input_encoding.__get__(self))  # type: ignore[attr-defined]
        except AttributeError:
            return "utf-8"

    @input_encoding.setter
    def input_encoding(self, value: str) -> None:
        FormsDict._input_encoding.__set__(self, value)  # type: ignore[attr-defined]

    @property
    def recode_unicode(self) -> bool:
        """Whether string values are latin-1 "native strings" to decode (``False`` once decoded)."""
        try:
            return bool(FormsDict._recode_unicode.__get__(self))  # type: ignore[attr-defined]
        except AttributeError:
            return self._default_recode

    @recode_unicode.setter
    def recode_unicode(self, value: bool) -> None:
        FormsDict._recode_unicode.__set__(self, value)  # type: ignore[attr-defined]

    def _recode(self, value: Any, encoding: str | None = None) -> Any:
        """``value`` as text; ``UnicodeError`` when it does not decode."""
        if isinstance(value, bytes):
            return value.decode(encoding or self.input_encoding)
        if isinstance(value, str) and self.recode_unicode and not value.isascii():
            return value.encode("latin-1").decode(encoding or self.input_encoding)
        return value

    def decode(self, encoding: str | None = None) -> FormsDict:
        """A copy with every key and value decoded to text (see the class docstring);
        values that do not decode are left out."""
        copy = DecodedFormsDict()
        for key, value in self.allitems():
            try:
                copy.append(self._recode(key, encoding), self._recode(value, encoding))
            except UnicodeError:
                continue
        return copy

    def getunicode(self, name: str, default: Any = None, encoding: str | None = None) -> Any:
        """The value of ``name`` as text, or ``default`` when missing or not decodable."""
        try:
            return self._recode(self.dict[name][-1], encoding)
        except (KeyError, UnicodeError):
            return default

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self.getunicode(name, default="")


class DecodedFormsDict(FormsDict):
    """A :class:`FormsDict` whose values are text already (what the request parses): its
    attributes return them as they are."""

    __slots__ = ()
    _default_recode = False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self.get(name, "")


def _header_key(name: str) -> str:
    return name.title().replace("_", "-")


class HeaderDict(MultiDict):
    """A case-insensitive :class:`MultiDict` for HTTP headers. Setting a value replaces
    all previous values; :meth:`append` adds one. Values are strings; CR/LF is refused."""

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.dict = {}
        if args or kwargs:
            self.update(*args, **kwargs)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _header_key(key) in self.dict

    def __delitem__(self, key: str) -> None:
        del self.dict[_header_key(key)]

    def __getitem__(self, key: str) -> str:
        return self.dict[_header_key(key)][-1]

    def __setitem__(self, key: str, value: Any) -> None:
        self.dict[header_name(key)] = [header_value(value)]

    def append(self, key: str, value: Any) -> None:
        self.dict.setdefault(header_name(key), []).append(header_value(value))

    def replace(self, key: str, value: Any) -> None:
        self[key] = value

    def getall(self, key: str) -> list[Any]:
        return self.dict.get(_header_key(key)) or []

    def get(self, key: str, default: Any = None, index: int = -1, type: Callable[[Any], Any] | None = None) -> Any:  # noqa: A002
        return super().get(_header_key(key), default, index, type)

    def filter(self, names: list[str]) -> None:
        """Remove every header named in ``names``."""
        for name in names:
            self.dict.pop(_header_key(name), None)


class WSGIHeaderDict(MutableMapping[str, str]):
    """A read-only, case-insensitive view of the request headers in a WSGI environ.

    Nothing is copied: a lookup reads ``HTTP_<NAME>`` (or ``CONTENT_TYPE``/``CONTENT_LENGTH``)."""

    __slots__ = ("environ",)  # one view per ``request.headers`` access (*headers*)
    _plain = frozenset(("CONTENT_TYPE", "CONTENT_LENGTH"))
    _environ_keys: dict[str, str] = {}  # header name -> environ key, shared: header names are few

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ

    @classmethod
    def environ_key(cls, name: str) -> str:
        """The environ key of header ``name``: ``'X-Token'`` → ``'HTTP_X_TOKEN'``."""
        key = cls._environ_keys.get(name)
        if key is None:
            key = name.replace("-", "_").upper()
            key = key if key in cls._plain else "HTTP_" + key
            if len(cls._environ_keys) < 1000:  # bounded: clients choose header names
                cls._environ_keys[name] = key
        return key

    _key = environ_key

    def get(self, key: str, default: Any = None) -> Any:
        """The header value, or ``default`` (one environ lookup; *request access* scenario)."""
        value = self.environ.get(self._environ_keys.get(key) or self._key(key))
        if value is None:
            return default
        return value if value.isascii() and type(value) is str else self._decode(value)

    @staticmethod
    def _decode(value: str | bytes) -> str:
        """A header value as text: the server's latin-1 string read back as UTF-8 (bytes,
        which some servers put in the environ, likewise)."""
        raw = value if isinstance(value, bytes) else value.encode("latin1")
        return raw.decode("utf-8", "replace")

    def raw(self, key: str, default: Any = None) -> Any:
        """The header value as the server stored it."""
        return self.environ.get(self._key(key), default)

    def __getitem__(self, key: str) -> str:
        value = self.environ[self._environ_keys.get(key) or self._key(key)]
        return value if value.isascii() and type(value) is str else self._decode(value)

    def __setitem__(self, key: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    def __iter__(self) -> Iterator[str]:
        for key in self.environ:
            if key[:5] == "HTTP_":
                yield key[5:].replace("_", "-").title()
            elif key in self._plain:
                yield key.replace("_", "-").title()

    def keys(self) -> list[str]:  # type: ignore[override]
        return list(self.__iter__())

    def __len__(self) -> int:
        return sum(1 for _ in self.__iter__())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._key(key) in self.environ


class ConfigDict(dict):  # type: ignore[type-arg]
    """The configuration dictionary of an app (and, as an overlay, of each route).

    Keys are dotted names (``'sqlalchemy.commit'``); :meth:`load_dict` flattens nested
    dicts into them and :meth:`load_config` reads INI files. Each key may carry metadata
    (``meta_set(key, 'filter', int)`` converts values on assignment). An overlay made by
    :meth:`_make_overlay` falls back to this dict for keys it does not set itself.
    Changes call ``self._on_change(key, value)`` (the app turns them into the ``config`` hook).
    """

    __slots__ = ("_meta", "_on_change", "_source", "_derived")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self._derived: dict[str, Any] = {}  # see derived(); emptied by every change
        self._meta: dict[str, dict[str, Any]] = {}
        self._on_change: Callable[[str, Any], Any] | None = None
        self._source: ConfigDict | None = None
        if args or kwargs:
            self.update(*args, **kwargs)

    def load_module(self, name: str, squash: bool = True) -> ConfigDict:
        """Load the upper-case attributes of an importable module (``pkg.settings``)."""
        import importlib

        module = importlib.import_module(name)
        values = {key: getattr(module, key) for key in dir(module) if key.isupper()}
        return self.load_dict(values) if squash else self.update(values) or self  # type: ignore[func-returns-value]

    def load_config(self, filename: str | os.PathLike[str], **options: Any) -> ConfigDict:
        """Load an INI file: keys of ``[Section.Name]`` become ``section.name.key`` (section
        names are lower-cased, as keys are); keys of the ``[DEFAULT]``, ``[ROOT]`` and
        ``[bottle]``/``[demijohn]`` sections stay at the top level, and ``[DEFAULT]``'s also
        apply to every section. ``options`` go to :class:`configparser.ConfigParser`."""
        import configparser

        options.setdefault("allow_no_value", True)
        options.setdefault("interpolation", configparser.ExtendedInterpolation())
        parser = configparser.ConfigParser(**options)
        with open(filename, encoding="utf-8") as file:
            parser.read_file(file)
        for section in parser.sections():
            namespace = section.lower()
            for key, value in parser.items(section):
                if namespace in ("root", "bottle", "demijohn"):
                    self[key] = value
                else:
                    self[f"{namespace}.{key}"] = value
        for key, value in parser.defaults().items():
            self[key] = value
        return self

    def load_dict(self, source: dict[str, Any], namespace: str = "") -> ConfigDict:
        """Load a dict; nested dicts become dotted keys:
        ``{'a': {'b': 1}}`` sets ``'a.b'`` to ``1``."""
        for key, value in source.items():
            if not isinstance(key, str):
                raise TypeError(f"Config keys must be strings, not {type(key).__name__}: {key!r}")
            full_key = f"{namespace}.{key}" if namespace else key
            if isinstance(value, dict):
                self.load_dict(value, full_key)
            else:
                self[full_key] = value
        return self

    def update(self, *args: Any, **kwargs: Any) -> None:
        """Like ``dict.update``; a first string argument is a namespace prefix for the keys."""
        prefix = ""
        if args and isinstance(args[0], str):
            prefix, args = args[0].strip(".") + ".", args[1:]
        for key, value in dict(*args, **kwargs).items():
            self[prefix + key] = value

    def setdefault(self, key: str, value: Any = None) -> Any:
        if key not in self:
            self[key] = value
        return self[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"Config keys must be strings, not {type(key).__name__}: {key!r}")
        value = self.meta_get(key, "filter", lambda x: x)(value)
        if key in self and dict.__getitem__(self, key) is value:
            return
        dict.__setitem__(self, key, value)
        self._derived.clear()
        if self._on_change is not None:
            self._on_change(key, value)

    def __delitem__(self, key: str) -> None:
        dict.__delitem__(self, key)
        self._derived.clear()
        if self._on_change is not None:
            self._on_change(key, None)

    def pop(self, key: str, *default: Any) -> Any:
        """``dict.pop``, forgetting what :meth:`derived` kept."""
        self._derived.clear()
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        """``dict.popitem``, forgetting what :meth:`derived` kept."""
        self._derived.clear()
        return dict.popitem(self)

    def clear(self) -> None:
        """``dict.clear``, forgetting what :meth:`derived` kept."""
        self._derived.clear()
        dict.clear(self)

    def __missing__(self, key: str) -> Any:
        if self._source is not None:
            return self._source[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (self._source is not None and key in self._source)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def derived(self, name: str, compute: Callable[[ConfigDict], T]) -> T:
        """``compute(self)``, kept under ``name`` until this config next changes: for values
        derived from config keys that every request reads (the body limits, *params*).
        An overlay computes every time (a change of the dict below it would not reach it)."""
        try:
            return self._derived[name]
        except KeyError:
            value = compute(self)
            if self._source is None:
                self._derived[name] = value
            return value

    def _make_overlay(self) -> ConfigDict:
        """A new ConfigDict that reads through to this one for keys it does not set."""
        overlay = ConfigDict()
        overlay._meta = self._meta
        overlay._source = self
        return overlay

    def meta_get(self, key: str, metafield: str, default: Any = None) -> Any:
        """Return the metadata ``metafield`` of ``key`` (``default`` when unset)."""
        return self._meta.get(key, {}).get(metafield, default)

    def meta_set(self, key: str, metafield: str, value: Any) -> None:
        """Set metadata of ``key``: ``'help'`` text, a ``'filter'`` callable applied to
        values on assignment (the current value is filtered again at once), and so on."""
        self._meta.setdefault(key, {})[metafield] = value
        if metafield == "filter" and dict.__contains__(self, key):
            self[key] = dict.__getitem__(self, key)

    def meta_list(self, key: str) -> list[str]:
        """The names of the metadata fields set for ``key``."""
        return list(self._meta.get(key, {}))


def values_of_type(forms: FormsDict, kind: type, keep: bool = True) -> FormsDict:
    """The pairs of ``forms`` whose value is (``keep``) or is not an instance of ``kind``."""
    chosen = DecodedFormsDict()
    for name, value in forms.allitems():
        if isinstance(value, kind) is keep:
            chosen.append(name, value)
    return chosen
