"""Server-side sessions: a new id at every sign-in, ended when idle or too old, the oldest
dropped first when the store is full."""

from __future__ import annotations

from interlude.web.sessions import Enrolments, SessionStore, Tokens


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tokens(user: str = "u1", expires_in: int = 300) -> Tokens:
    return Tokens("access", "refresh", expires_in, "t1", user, ("coachee",))


def test_every_sign_in_gets_a_new_unguessable_id_and_its_own_form_token() -> None:
    store = SessionStore(idle_s=60, max_s=600, capacity=10)
    first, second = store.open(tokens()), store.open(tokens())
    assert first.id != second.id and len(first.id) >= 43
    assert first.csrf != second.csrf and first.csrf != first.id
    assert store.get(first.id) is first and store.get("guessed") is None


def test_a_session_ends_after_an_idle_spell_and_after_its_lifetime() -> None:
    clock = Clock()
    store = SessionStore(idle_s=60, max_s=1000, capacity=10, clock=clock)
    session = store.open(tokens())
    clock.now += 59
    assert store.get(session.id) is session  # a request keeps it alive
    clock.now += 59
    assert store.get(session.id) is session
    clock.now += 61
    assert store.get(session.id) is None
    store = SessionStore(idle_s=60, max_s=100, capacity=10, clock=clock)
    kept = store.open(tokens())
    for _ in range(3):
        clock.now += 40
        found = store.get(kept.id)
    assert found is None  # 120 s after it opened, however busy


def test_the_access_token_is_renewed_before_it_expires() -> None:
    clock = Clock()
    store = SessionStore(idle_s=600, max_s=6000, capacity=10, clock=clock)
    session = store.open(tokens(expires_in=300))
    assert not session.needs_refresh(clock.now + 200)
    assert session.needs_refresh(clock.now + 280)
    store.renewed(session, Tokens("access2", "refresh2", 300, "t1", "u1", ("coach",)))
    assert session.refresh_token == "refresh2" and session.roles == ("coach",)


def test_a_full_store_drops_the_least_recently_used_session() -> None:
    store = SessionStore(idle_s=600, max_s=6000, capacity=2)
    old, busy = store.open(tokens("a")), store.open(tokens("b"))
    assert store.get(old.id) is old  # used: now the most recent
    store.open(tokens("c"))
    assert store.get(busy.id) is None and store.get(old.id) is old and len(store) == 2


def test_ended_sessions_leave_memory_though_nobody_asks_for_them_again() -> None:
    clock = Clock()
    store = SessionStore(idle_s=60, max_s=1000, capacity=10, clock=clock)
    idle, busy = store.open(tokens("a")), store.open(tokens("b"))
    clock.now += 50
    assert store.get(busy.id) is busy
    clock.now += 20
    assert store.sweep() == 1  # the idle one, 70 s untouched
    assert not store.holds(idle) and store.holds(busy) and len(store) == 1


def test_sessions_whose_access_token_expired_are_the_ones_to_check() -> None:
    clock = Clock()
    store = SessionStore(idle_s=6000, max_s=60000, capacity=10, clock=clock)
    short, long = store.open(tokens("a", expires_in=100)), store.open(tokens("b", 1000))
    assert store.lapsed() == []
    clock.now += 100
    assert store.lapsed() == [short]
    store.renewed(short, tokens("a", expires_in=300))
    clock.now += 250
    assert store.lapsed() == []  # renewed: good for 300 s more
    clock.now += 650
    assert store.lapsed() == [short, long]


def test_every_session_of_a_forgotten_person_ends_and_no_one_elses() -> None:
    store = SessionStore(idle_s=600, max_s=6000, capacity=10)
    phone, laptop, other = store.open(tokens("a")), store.open(tokens("a")), store.open(tokens())
    assert store.drop_person("t1", "a") == 2
    assert store.get(phone.id) is None and store.get(laptop.id) is None
    assert store.get(other.id) is other and store.drop_person("t2", "u1") == 0


def test_enrolments_past_their_lifetime_leave_memory() -> None:
    clock = Clock()
    enrolments = Enrolments(lifetime_s=600, clock=clock)
    old = enrolments.open("ticket1", "ada@example.org")
    clock.now += 500
    young = enrolments.open("ticket2", "bea@example.org")
    clock.now += 200
    assert enrolments.sweep() == 1
    clock.now = 0  # so that a look-up cannot be what removes it
    assert enrolments.get(old.id) is None and enrolments.get(young.id) is young
