"""One page of a long list (pairs, companies): the rows of that page and where it sits in the whole.

Lists a hub can grow without bound are paged in the database (LIMIT/OFFSET and a COUNT), never
loaded whole and cut in a template.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # 1-based
    size: int  # rows per page
    total: int  # rows in the whole list

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """1-based position of the first row shown (0 for an empty page)."""
        return self.offset + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def clamp(number: int, size: int, total: int) -> int:
    """A requested page number within 1..last page."""
    return min(max(1, number), max(1, -(-total // size)))
