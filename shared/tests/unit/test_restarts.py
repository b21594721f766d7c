"""The supervisor's restart pauses: doubling per crash in a row, capped, forgiven after a child
stays up; and how a death is described."""

from interlude.shared.stack.restarts import Backoff, how_it_ended


def test_pauses_double_per_crash_up_to_the_ceiling() -> None:
    backoff = Backoff(first=0.5, ceiling=4.0, stable_after=30.0)
    backoff.started(0.0)
    waits = []
    for n in range(6):
        waits.append(backoff.crashed(n + 1.0))
        backoff.started(n + 1.0 + waits[-1])
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert backoff.looping and backoff.crashes == 6


def test_a_child_that_stayed_up_a_while_starts_over_at_the_first_pause() -> None:
    backoff = Backoff(first=0.5, stable_after=30.0)
    backoff.started(0.0)
    assert backoff.crashed(1.0) == 0.5
    backoff.started(1.5)
    assert backoff.crashed(2.0) == 1.0
    backoff.started(3.0)
    assert backoff.crashed(100.0) == 0.5  # up 97 s: this crash is a first one again
    assert backoff.crashes == 1 and not backoff.looping


def test_deaths_are_told_by_exit_code_or_signal() -> None:
    assert how_it_ended(3) == "exited with code 3"
    assert how_it_ended(-9) == "was killed by SIGKILL"
    assert how_it_ended(None) == "is no longer running"
