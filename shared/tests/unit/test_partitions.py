"""Partitions by tenant: names, ownership, and where a partitioned projection stands."""

from __future__ import annotations

import pytest

from interlude.shared.projections.partitions import (
    Partition,
    is_partition_consumer,
    lowest,
    partition_of,
    split_checkpoint,
)


def test_every_event_of_a_tenant_falls_in_exactly_one_partition() -> None:
    subjects = [f"engagement.tenant{t}.checkin.c{i}" for t in range(30) for i in range(3)]
    parts = [Partition(i, 4) for i in range(4)]
    for subject in subjects:
        assert sum(p.owns(subject) for p in parts) == 1
    for t in range(30):
        owners = {p.index for p in parts for i in range(3)
                  if p.owns(f"engagement.tenant{t}.checkin.c{i}")}
        assert owners == {partition_of(f"tenant{t}", 4)}


def test_one_partition_keeps_the_projections_own_names_and_takes_everything() -> None:
    whole = Partition(0, 1)
    assert whole.checkpoint("engagement-views") == "engagement-views"
    assert whole.consumer("engagement-views") == "engagement-views"
    assert whole.owns("engagement.anyone.contract.c1")


def test_a_partitions_names_say_which_it_is() -> None:
    part = Partition(2, 4)
    assert part.checkpoint("engagement-views") == "engagement-views@2/4"
    assert part.consumer("engagement-views") == "engagement-views-p2of4"
    assert split_checkpoint("engagement-views@2/4") == ("engagement-views", part)
    assert split_checkpoint("engagement-views") == ("engagement-views", None)
    with pytest.raises(ValueError):
        Partition(4, 4)


def test_a_partitioned_projection_stands_where_its_slowest_partition_stands() -> None:
    assert lowest({"p": 10}) == 10
    assert lowest({"p@0/2": 30, "p@1/2": 20}) == 20
    # a partition not started yet starts where the unpartitioned projection stood
    assert lowest({"p": 12, "p@0/2": 30}) == 12
    assert lowest({"p@0/2": 30}) == 0
    # rows of an older partition count are ignored
    assert lowest({"p@0/2": 5, "p@0/3": 40, "p@1/3": 41, "p@2/3": 42}) == 40


def test_a_partition_s_consumer_is_told_from_another_projection_named_alike() -> None:
    assert is_partition_consumer("views", Partition(1, 4).consumer("views"))
    assert not is_partition_consumer("views", "views")
    assert not is_partition_consumer("views", "views-pending")
    assert not is_partition_consumer("views", "views-p1of")
    assert not is_partition_consumer("views", "other-p1of4")
