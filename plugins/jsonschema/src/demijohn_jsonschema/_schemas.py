"""Loading schemas from dicts and files, resolving ``$ref`` across files, compiling validators.

All the work happens when a route is applied: every file a schema reaches through
``$ref`` is read once and put into a ``referencing.Registry``, every reference is
checked, and the validator is built. A request only calls ``iter_errors``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Union
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

import jsonschema.validators
from demijohn import PluginError
from jsonschema.exceptions import SchemaError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import specification_with

#: What ``schema=``, ``query_schema=`` and ``response_schema=`` accept.
SchemaSource = Union[Mapping[str, Any], bool, str, "os.PathLike[str]"]

#: Short names accepted by ``draft=``.
DRAFTS: dict[str, type[Validator]] = {
    "2020-12": jsonschema.Draft202012Validator,
    "2019-09": jsonschema.Draft201909Validator,
    "7": jsonschema.Draft7Validator,
    "6": jsonschema.Draft6Validator,
    "4": jsonschema.Draft4Validator,
}

# Keywords whose values are data, not subschemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})


def resolve_draft(draft: str | type[Validator]) -> type[Validator]:
    """Turn ``'2020-12'``, ``'7'`` ... or a jsonschema validator class into a validator class."""
    if isinstance(draft, str):
        try:
            return DRAFTS[draft.removeprefix("draft").removeprefix("-")]
        except KeyError:
            raise PluginError(
                f"unknown JSON Schema draft {draft!r}: use one of {sorted(DRAFTS)} "
                "or a jsonschema validator class such as jsonschema.Draft7Validator"
            ) from None
    if isinstance(draft, type) and hasattr(draft, "iter_errors") and hasattr(draft, "META_SCHEMA"):
        return draft
    raise PluginError(f"draft= must be a draft name or a jsonschema validator class, got {draft!r}")


def _schema_nodes(node: Any, base: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every schema object in ``node`` with the base URI in force there (after its own ``$id``)."""
    if isinstance(node, Mapping):
        node_id = node.get("$id")
        if isinstance(node_id, str):
            base = urljoin(base, node_id)
        yield base, node
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                yield from _schema_nodes(value, base)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_nodes(item, base)


def walk_refs(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """Yield ``(base_uri, ref)`` for every ``$ref`` in a schema, following ``$id`` changes of base."""
    for where, schema in _schema_nodes(node, base):
        ref = schema.get("$ref")
        if isinstance(ref, str):
            yield where, ref


def walk_ids(node: Any, base: str) -> Iterator[str]:
    """Yield the absolute URI of every ``$id`` in a schema (nested resources included)."""
    for where, schema in _schema_nodes(node, base):
        if isinstance(schema.get("$id"), str):
            yield urldefrag(where).url


class LoadedSchema:
    """A schema document as loaded: its contents, the URI its references resolve against, where it came from."""

    __slots__ = ("contents", "uri", "path")

    def __init__(self, contents: Any, uri: str, path: Path | None) -> None:
        self.contents = contents
        self.uri = uri
        self.path = path


class SchemaStore:
    """Loads schema documents once and keeps every document reached through ``$ref``.

    Relative file paths, and relative references in dict schemas without ``$id``, resolve
    against ``base_path`` (the working directory when not given). Only ``file:`` references
    are read from disk; anything else must already be in ``registry``.
    """

    def __init__(
        self,
        base_path: str | os.PathLike[str] | None = None,
        draft: type[Validator] = jsonschema.Draft202012Validator,
        registry: Registry[Any] | None = None,
    ) -> None:
        self.base_path = Path(base_path if base_path is not None else os.getcwd()).resolve()
        self.draft = draft
        self.documents: dict[str, LoadedSchema] = {}  # document URI -> loaded document
        self._by_object: dict[int, LoadedSchema] = {}  # id(dict schema) -> its loaded document
        self._extra = registry if registry is not None else Registry()
        self._registry: Registry[Any] | None = None
        self._specification = specification_with(draft.META_SCHEMA["$schema"])

    @property
    def registry(self) -> Registry[Any]:
        """A registry holding every loaded document, the user's registry and a file fallback."""
        if self._registry is None:
            registry = self._extra.with_resources(
                (uri, self._resource(doc.contents)) for uri, doc in self.documents.items()
            )
            self._registry = Registry(retrieve=self._retrieve).combine(registry).crawl()  # type: ignore[call-arg]
        return self._registry

    def load(self, source: SchemaSource, where: str) -> LoadedSchema:
        """Load a dict or a file path (and every file it references), checking each ``$ref``."""
        if isinstance(source, (str, os.PathLike)):
            path = (self.base_path / os.fspath(source)).resolve()
            loaded = self._read(path.as_uri(), where)
        elif isinstance(source, bool):
            loaded = LoadedSchema(source, self.base_path.as_uri() + "/", None)
        elif isinstance(source, Mapping):
            loaded = self._by_object.get(id(source)) or self._load_dict(source)
        else:
            raise PluginError(
                f"{where}: a schema must be a dict or a path to a JSON file, got {type(source).__name__}"
            )
        self._check_references(loaded, where)
        return loaded

    def compile(
        self, source: SchemaSource, where: str, format_checking: bool = True
    ) -> Validator:
        """Load and check a schema, then build its validator: called once per route, never per request."""
        loaded = self.load(source, where)
        cls: type[Validator] = self.draft
        if isinstance(loaded.contents, Mapping):
            cls = jsonschema.validators.validator_for(loaded.contents, default=self.draft)
        try:
            cls.check_schema(loaded.contents)
        except SchemaError as error:
            at = "/".join(str(part) for part in error.absolute_path) or "(root)"
            raise PluginError(
                f"{where}: not a valid {cls.__name__} schema at {at}: {error.message}"
            ) from None
        schema: Any = loaded.contents
        if self._crosses_documents(loaded):
            # The validator's root has no base URI of its own, so point it at the
            # registered document: its relative references then resolve from there.
            schema = {"$ref": loaded.uri}
        checker = cls.FORMAT_CHECKER if format_checking else None
        return cls(schema, registry=self.registry, format_checker=checker)

    def _load_dict(self, source: Mapping[str, Any]) -> LoadedSchema:
        own_id = source.get("$id")
        if isinstance(own_id, str):
            uri = urldefrag(urljoin(self.base_path.as_uri() + "/", own_id)).url
        else:
            # A name of its own beside the files, so "other.json" resolves in base_path.
            uri = f"{self.base_path.as_uri()}/.demijohn-schema-{len(self._by_object) + 1}.json"
        loaded = LoadedSchema(source, uri, None)
        self._by_object[id(source)] = loaded
        self._add(loaded)
        return loaded

    def _add(self, loaded: LoadedSchema) -> None:
        self.documents[loaded.uri] = loaded
        self._registry = None

    def _read(self, uri: str, where: str, referrer: str | None = None) -> LoadedSchema:
        if uri in self.documents:
            return self.documents[uri]
        path = Path(url2pathname(unquote(urlsplit(uri).path)))
        via = f" (referenced from {referrer})" if referrer else ""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise PluginError(
                f"{where}: cannot read schema file {path}{via}: {error.strerror or error}"
            ) from None
        try:
            contents = json.loads(text)
        except ValueError as error:
            raise PluginError(f"{where}: schema file {path}{via} is not valid JSON: {error}") from None
        loaded = LoadedSchema(contents, uri, path)
        self._add(loaded)
        self._check_references(loaded, where)
        return loaded

    def _check_references(self, loaded: LoadedSchema, where: str) -> None:
        known = set(walk_ids(loaded.contents, loaded.uri)) | {loaded.uri}
        for base, ref in walk_refs(loaded.contents, loaded.uri):
            document = urldefrag(urljoin(base, ref)).url
            if document in known or document in self.documents or document in self._extra:
                continue
            if document.startswith("file:"):
                self._read(document, where, referrer=str(loaded.path or loaded.uri))
                continue
            raise PluginError(
                f"{where}: cannot resolve $ref {ref!r} (to {document}): only schema files are "
                "read; put other documents in JSONSchemaPlugin(registry=...)"
            )

    def _crosses_documents(self, loaded: LoadedSchema) -> bool:
        for base, ref in walk_refs(loaded.contents, loaded.uri):
            if urldefrag(urljoin(base, ref)).url != loaded.uri:
                return True
        return False

    def _resource(self, contents: Any) -> Resource[Any]:
        return Resource.from_contents(contents, default_specification=self._specification)

    def _retrieve(self, uri: str) -> Resource[Any]:
        # Every reference was loaded and checked when the route was applied; this
        # only answers for a document the checks above could not foresee.
        if not uri.startswith("file:"):
            raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
        return self._resource(self._read(uri, "JSON Schema reference").contents)
