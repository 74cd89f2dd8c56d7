"""One registry mechanism for everything chosen by name: judge backends, guard kinds, translators.

A :class:`Registry` is a read-only mapping filled by :meth:`Registry.register` (directly or as a
decorator). Registering a name twice is an error naming both: two backends silently sharing a
name would make ``--judge NAME`` pick whichever module was imported last. Each entry may carry a
one-line usage (``hf:<model id or local path>``) so that command-line help and "unknown name"
errors list what is really registered instead of a hand-typed copy. The registry holds only
factories: a backend's heavy libraries are imported when it is built, never when it registers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class DuplicateName(ValueError):
    """A second entry under a name already registered."""


class Registry(Mapping[str, T], Generic[T]):
    """Entries by name, in registration order; ``what`` names the entries in messages."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._entries: dict[str, T] = {}
        self._usage: dict[str, str] = {}

    def add(self, name: str, entry: T, usage: str | None = None) -> T:
        """Register ``entry`` as ``name``; a name already taken raises :class:`DuplicateName`."""
        if not name:
            raise ValueError(f"a {self.what} needs a name")
        if name in self._entries:
            raise DuplicateName(f"{self.what} {name!r} is already registered "
                                f"({self._entries[name]!r}); cannot register {entry!r} too")
        self._entries[name] = entry
        self._usage[name] = usage or name
        return entry

    def register(self, name: str, usage: str | None = None) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""
        def deco(entry: T) -> T:
            return self.add(name, entry, usage)

        return deco

    def names(self) -> list[str]:
        return list(self._entries)

    def usages(self) -> list[str]:
        """How each entry is written on the command line, e.g. ``openai:<model>``."""
        return [self._usage[name] for name in self._entries]

    def usage(self, name: str) -> str:
        return self._usage[name]

    def unknown(self, name: str) -> ValueError:
        """The error for a name nobody registered, listing the known ones."""
        return ValueError(f"unknown {self.what} {name!r}; known: {', '.join(self.usages())}")

    def __getitem__(self, name: str) -> T:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.what!r}, {self.names()})"
