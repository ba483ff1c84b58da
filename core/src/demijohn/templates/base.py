"""What every template engine adapter shares: :class:`BaseTemplate` (find a template by
name in lookup folders, compile once, render many times) and :class:`TemplateError`."""

from __future__ import annotations

import abc
import os
from typing import Any, Mapping

from ..errors import BottleException


class TemplateError(BottleException):
    """A template could not be found, compiled or rendered; the message says which and why."""


def folder_list(lookup: list[str]) -> str:
    """The lookup folders, quoted, for an error message."""
    return ", ".join(repr(folder) for folder in lookup) or "(none: the lookup list is empty)"


class BaseTemplate(abc.ABC):
    """What a template adapter provides: find a template by name in lookup folders,
    compile it once (:meth:`prepare`) and :meth:`render` it with variables.

    ``source`` is the template text (or a file with ``read()``), ``name`` a name to search
    for in ``lookup``; ``settings`` go to :meth:`prepare`. Subclass it to add an engine."""

    #: File name endings tried after the bare name, in order (Bottle's list).
    extensions: tuple[str, ...] = ("tpl", "html", "thtml", "stpl")
    #: Settings every instance of the class gets (see :meth:`global_config`).
    settings: dict[str, Any] = {}
    #: Variables every render gets unless the caller passes its own.
    defaults: dict[str, Any] = {}

    def __init__(self, source: Any = None, name: str | None = None, lookup: list[str] | None = None,
                 encoding: str = "utf8", **settings: Any) -> None:
        self.name = name
        self.source = source.read() if hasattr(source, "read") else source
        if isinstance(self.source, bytes):
            self.source = self.source.decode(encoding)
        self.filename: str | None = getattr(source, "filename", None)
        self.lookup = [os.path.abspath(folder) for folder in lookup] if lookup else []
        self.encoding = encoding
        self.settings = {**type(self).settings, **settings}
        self.defaults = dict(type(self).defaults)
        if not self.source and self.name:
            self.filename = self.search(self.name, self.lookup)
            if not self.filename:
                raise TemplateError(f"Template {self.name!r} not found: tried {self.name!r} and the endings "
                                    f"{', '.join('.' + ext for ext in self.extensions)} in {folder_list(self.lookup)}. "
                                    "Put the file in one of them or add its folder to TEMPLATE_PATH.")
        if not self.source and not self.filename:
            raise TemplateError("No template given: pass a template name or its source text.")
        self.prepare(**self.settings)

    @property
    def label(self) -> str:
        """How error messages name this template: its file, its name, or ``'<source>'``."""
        return self.filename or self.name or "<source>"

    def read_file(self, path: str) -> str:
        """The text of the template file ``path``, decoded with the template's encoding."""
        with open(path, "rb") as file:
            data = file.read()
        try:
            return data.decode(self.encoding).removeprefix("\ufeff")  # the byte order mark some editors write
        except UnicodeDecodeError as error:
            raise TemplateError(f"Template {path!r} is not valid {self.encoding} (byte {error.start}): save it as "
                                f"{self.encoding} or pass encoding= with the file's encoding.") from None

    @classmethod
    def search(cls, name: str, lookup: list[str]) -> str | None:
        """The absolute path of template ``name`` in the ``lookup`` folders, trying ``name``
        and then each of :attr:`extensions`; ``None`` if none exists. Names that resolve
        outside their folder (``../secret``, absolute paths) are never found."""
        for folder in lookup:
            folder = os.path.abspath(folder) + os.sep
            path = os.path.abspath(os.path.join(folder, name))
            if not path.startswith(folder):
                continue
            for candidate in (path, *(f"{path}.{ext}" for ext in cls.extensions)):
                if os.path.isfile(candidate):
                    return candidate
        return None

    @classmethod
    def global_config(cls, key: str, *args: Any) -> Any:
        """Read (one argument) or set (two) a setting every new template of this class gets."""
        if args:
            cls.settings = {**cls.settings, key: args[0]}
            return None
        return cls.settings[key]

    @abc.abstractmethod
    def prepare(self, **options: Any) -> None:
        """Compile the template; called once by the constructor with the settings."""

    @abc.abstractmethod
    def render(self, *args: Mapping[str, Any], **kwargs: Any) -> str:
        """Render with variables from dicts in ``args`` and from ``kwargs`` (later win)."""

    def variables(self, args: tuple[Mapping[str, Any], ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """The variables of one render: the template's defaults, then each dict of ``args``,
        then ``kwargs``."""
        variables = dict(self.defaults)
        for mapping in args:
            variables.update(mapping)
        variables.update(kwargs)
        return variables


__all__ = ["BaseTemplate", "TemplateError"]
