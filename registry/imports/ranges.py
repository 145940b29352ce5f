"""Ids as [first, last] ranges: a batch's created rows in a few numbers instead of one log row each."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def to_ranges(ids: Iterable[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for pk in sorted(ids):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def ids_in(ranges: Iterable[list[int]]) -> Iterator[int]:
    for first, last in ranges:
        yield from range(first, last + 1)
