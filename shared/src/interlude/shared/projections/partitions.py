"""Partitions of a projection by tenant (ADR 0013): which events a partition's runner applies,
and what its consumer and checkpoint are called.

A tenant's events all fall in one partition, chosen by the same function as NATS's
``partition(n, token)`` subject transform (FNV-1a, 32 bits, modulo ``n``), so the mapping
stays the same should the partition ever move into the subjects. Each partition's runner
reads the whole stream and applies only its tenants' events: its checkpoint still moves over
every message, so every partition's checkpoint is a plain stream position and a reader waits
for the lowest of them. Which worker runs which partition: :mod:`.leases`.
"""

from __future__ import annotations

from dataclasses import dataclass

_FNV_OFFSET, _FNV_PRIME = 0x811C9DC5, 0x01000193


def partition_of(tenant: str, count: int) -> int:
    """The partition of ``tenant`` among ``count``: FNV-1a of its bytes, modulo ``count``."""
    h = _FNV_OFFSET
    for byte in tenant.encode():
        h = ((h ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return h % count


@dataclass(frozen=True)
class Partition:
    """Partition ``index`` of ``count``. A single partition (``count`` 1) is the whole stream
    under the projection's own names, so one leased worker continues where an unpartitioned
    one stood."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"no partition {self.index} of {self.count}")

    def owns(self, subject: str) -> bool:
        """Whether the event on ``subject`` (``<prefix>.<tenant>.<aggregate>.<id>``) is ours."""
        if self.count == 1:
            return True
        return partition_of(subject.split(".", 2)[1], self.count) == self.index

    def checkpoint(self, projection: str) -> str:
        """The checkpoint row's name: ``<projection>@<index>/<count>``."""
        return projection if self.count == 1 else f"{projection}@{self.index}/{self.count}"

    def consumer(self, projection: str) -> str:
        """The durable consumer's name (no ``/`` or ``@`` there): ``<projection>-p<i>of<n>``."""
        return projection if self.count == 1 else f"{projection}-p{self.index}of{self.count}"


def split_checkpoint(name: str) -> tuple[str, Partition | None]:
    """``engagement-views@1/4`` -> (``engagement-views``, partition 1 of 4); a plain name ->
    (name, None)."""
    base, sep, rest = name.partition("@")
    if not sep:
        return name, None
    index, _, count = rest.partition("/")
    return base, Partition(int(index), int(count))


def is_partition_consumer(projection: str, consumer: str) -> bool:
    """Whether ``consumer`` is one of ``projection``'s partitions' (:meth:`Partition.consumer`),
    not another projection whose name merely begins the same."""
    rest = consumer.removeprefix(f"{projection}-p")
    index, of, count = rest.partition("of")
    return rest != consumer and bool(of) and index.isdigit() and count.isdigit()


def lowest(rows: dict[str, int]) -> int:
    """Where a partitioned projection stands, from its checkpoint rows (name -> position): the
    lowest of its partitions, of the largest count present; a partition with no row yet
    stands where the unpartitioned projection stood (its row starts there), else at 0."""
    plain = next((pos for name, pos in rows.items() if "@" not in name), 0)
    parts = {p: pos for name, pos in rows.items() if (p := split_checkpoint(name)[1])}
    if not parts:
        return plain
    count = max(p.count for p in parts)
    by_index = {p.index: pos for p, pos in parts.items() if p.count == count}
    return min(by_index.get(i, plain) for i in range(count))
