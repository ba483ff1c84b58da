"""Descriptors for values computed once: :class:`cached_property` (per instance),
:class:`lazy_attribute` (per class) and :class:`DictProperty` (stored in a dict such as the
request's environ). Bottle exports them too."""

from __future__ import annotations

import functools
from typing import Any, Callable, Generic, TypeVar, overload

T = TypeVar("T")
V = TypeVar("V")
_MISSING: Any = object()


class cached_property(Generic[T]):  # noqa: N801 - Bottle's name
    """A property computed once per instance, then stored in the instance's ``__dict__``.

    Delete the attribute to have it computed again.
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        functools.update_wrapper(self, func)  # type: ignore[arg-type]
        self.func = func

    @overload
    def __get__(self, obj: None, cls: Any) -> cached_property[T]: ...
    @overload
    def __get__(self, obj: object, cls: Any) -> T: ...
    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.func.__name__] = self.func(obj)
        return value


class lazy_attribute(Generic[T]):  # noqa: N801 - Bottle's name
    """A class-level attribute computed once, on first read, by calling the decorated
    function with the class; the result then replaces the descriptor on that class::

        class Settings:
            @lazy_attribute
            def table(cls):
                return build_expensive_table()
    """

    def __init__(self, func: Callable[[Any], T]) -> None:
        functools.update_wrapper(self, func)  # type: ignore[arg-type]
        self.getter = func

    def __get__(self, obj: Any, cls: Any) -> T:
        value = self.getter(cls)
        setattr(cls, self.getter.__name__, value)
        return value


class DictProperty(Generic[T]):
    """A property stored in a dict attribute of its instance (``request.environ``, say),
    computed on first read by the decorated function and cached under ``key``.

    ``@DictProperty('environ', 'bottle.request.query', read_only=True)`` is how request
    properties stay lazy and shared between request objects wrapping the same environ.
    """

    getter: Callable[[Any], T]

    def __init__(self, attr: str, key: str | None = None, read_only: bool = False) -> None:
        self.attr, self.key, self.read_only = attr, key, read_only

    def __call__(self, func: Callable[[Any], V]) -> DictProperty[V]:
        prop: DictProperty[V] = self  # type: ignore[assignment]  # from here on it holds what func returns
        functools.update_wrapper(prop, func, updated=[])
        prop.getter, prop.key = func, prop.key or func.__name__
        return prop

    @overload
    def __get__(self, obj: None, cls: object) -> DictProperty[T]: ...
    @overload
    def __get__(self, obj: object, cls: object) -> T: ...
    def __get__(self, obj: object, cls: object) -> T | DictProperty[T]:
        if obj is None:
            return self
        key, storage = self.key, getattr(obj, self.attr)
        value: T = storage.get(key, _MISSING)  # no KeyError on the first read: raising is slow (*request access*)
        if value is _MISSING:
            value = storage[key] = self.getter(obj)
        return value

    def __set__(self, obj: object, value: T) -> None:
        if self.read_only:
            raise AttributeError(f"{self.key} is read-only")
        getattr(obj, self.attr)[self.key] = value

    def __delete__(self, obj: object) -> None:
        if self.read_only:
            raise AttributeError(f"{self.key} is read-only")
        del getattr(obj, self.attr)[self.key]
