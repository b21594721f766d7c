"""The coach dashboard comes out the same whether engagement's events arrive one at a time (a
worker keeping up) or a batch at a time (a rebuild, a catch-up): a batch's changes to a row
are summed and written once, the messages' effect kept in order, and a new reply window
applies to what waited before it."""

from __future__ import annotations

from interlude.engagement.domain.terms import Consents, Terms
from interlude.engagement.projections.dashboard import Dashboard
from interlude.engagement.testing import terms
from interlude.engagement.wiring import MIGRATIONS
from interlude.shared.db import migrate
from interlude.shared.testing.batches import START, Events, one_by_one_then_at_once, sealed

COACH, COACHEE = "usr_coach", "usr_coachee"


def two_contracts_over_a_while() -> Events:
    s = Events("ENGAGEMENT", "org_batches")

    def activated(contract: str, reply_window_hours: int) -> None:
        agreed = Terms.model_validate(terms()).model_dump(mode="json")
        agreed["allowance"]["reply_window_hours"] = reply_window_hours
        s.add("engagement.ContractActivated", contract, COACHEE, coach_id=COACH,
              coachee_id=COACHEE, sponsor_id=None, terms_version=1, terms=agreed,
              consents=Consents().model_dump(mode="json"))

    def message(contract: str, number: int, party: str) -> None:
        s.add("engagement.MessageSent", contract, COACH if party == "coach" else COACHEE,
              contract_id=contract, coachee_id=COACHEE, message_id=f"msg_{contract}_{number}",
              number=number, party=party, sender_id=COACH if party == "coach" else COACHEE,
              body=sealed(COACHEE), month="2026-03", counted=party == "coach", billable=False)

    def on(contract: str, event_type: str, aggregate_id: str, actor: str, **payload: object
           ) -> None:
        s.add(f"engagement.{event_type}", aggregate_id, actor, contract_id=contract,
              coachee_id=COACHEE, **payload)

    activated("ctr_a", 48)
    activated("ctr_b", 24)
    message("ctr_a", 1, "coachee")
    message("ctr_a", 2, "coachee")  # two wait: due 48 h after the first
    message("ctr_b", 1, "coachee")
    message("ctr_b", 2, "coach")  # answered
    on("ctr_a", "CheckInPosted", "chk_1", COACHEE, coach_id=COACH, text=sealed(COACHEE),
       mood=3, small_win=True)
    on("ctr_a", "CheckInPosted", "chk_2", COACHEE, coach_id=COACH, text=sealed(COACHEE),
       mood=4, small_win=False)
    on("ctr_a", "CheckInAcknowledged", "chk_1", COACH, kind="like")
    on("ctr_a", "CheckInAcknowledged", "chk_1", COACH, kind="like")  # counted once
    on("ctr_a", "GoalSet", "gol_1", COACHEE, title=sealed(COACHEE), set_by=COACHEE)
    on("ctr_a", "GoalSet", "gol_2", COACHEE, title=sealed(COACHEE), set_by=COACHEE)
    on("ctr_a", "GoalClosed", "gol_1", COACHEE, outcome="achieved")
    on("ctr_b", "ExperimentPlanned", "exp_1", COACHEE, goal_id=None, belief=sealed(COACHEE),
       behaviour=sealed(COACHEE))
    on("ctr_b", "MaterialShared", "mat_1", COACH, coach_id=COACH, kind="reading",
       title=sealed(COACHEE), url=None, note=None)
    on("ctr_b", "MaterialOpened", "mat_1", COACHEE)
    on("ctr_b", "MaterialDone", "mat_1", COACHEE)
    s.add("engagement.SessionScheduled", "ctr_a", COACH, session_id="ses_1",
          starts_at=START.isoformat(), minutes=60, mode="video", scheduled_by=COACH)
    s.add("engagement.SessionHeld", "ctr_a", COACH, session_id="ses_1")
    on("ctr_b", "CheckInPosted", "chk_3", COACHEE, coach_id=COACH, text=sealed(COACHEE),
       mood=2, small_win=False)
    message("ctr_b", 3, "coachee")
    on("ctr_b", "CheckInAcknowledged", "chk_3", COACH, kind="question",
       question=sealed(COACHEE))  # acknowledged after other events: held, then counted
    activated("ctr_a", 12)  # amended: the two waiting are now due 12 h after the first
    on("ctr_a", "CheckInPosted", "chk_4", COACHEE, coach_id=COACH, text=sealed(COACHEE),
       mood=5, small_win=True)
    on("ctr_a", "CheckInAcknowledged", "chk_2", COACH, kind="question",
       question=sealed(COACHEE))  # its check-in came before the amendment
    on("ctr_b", "CheckInPosted", "chk_5", COACHEE, coach_id=COACH, text=sealed(COACHEE),
       mood=3, small_win=False)
    message("ctr_b", 4, "coach")
    on("ctr_b", "CheckInAcknowledged", "chk_5", COACH, kind="like")  # written after what follows
    message("ctr_b", 5, "coachee")  # waits anew, from its own time
    s.add("engagement.ContractEnded", "ctr_b", COACHEE, ended_by=COACHEE, party="coachee",
          coachee_id=COACHEE)
    return s


async def test_one_at_a_time_and_a_batch_at_once_keep_the_same_dashboard(pg_pool):
    events = two_contracts_over_a_while()
    async with pg_pool.acquire() as conn:
        await migrate(conn, MIGRATIONS)
        one_by_one, at_once = await one_by_one_then_at_once(conn, Dashboard(), events.recorded)
        assert at_once == one_by_one

        rows = {r["contract_id"]: r for r in await conn.fetch(
            "SELECT contract_id, status, unanswered, oldest_waiting_at, reply_due_at,"
            " checkins, checkins_unacknowledged, goals_open, experiments_open, sessions_held,"
            " materials_shared, materials_opened, materials_done, position FROM dashboard")}
        a, b = rows["ctr_a"], rows["ctr_b"]
        first_a = events.recorded[2].envelope.occurred_at
        assert (a["unanswered"], a["oldest_waiting_at"]) == (2, first_a)
        assert (a["reply_due_at"] - first_a).total_seconds() == 12 * 3600
        assert (a["checkins"], a["checkins_unacknowledged"], a["goals_open"],
                a["sessions_held"]) == (3, 1, 1, 1)  # chk_4 waits
        assert (b["checkins"], b["checkins_unacknowledged"]) == (2, 0)
        last_b = events.recorded[-2].envelope.occurred_at
        assert (b["status"], b["unanswered"], b["oldest_waiting_at"]) == ("ended", 1, last_b)
        assert (b["reply_due_at"] - last_b).total_seconds() == 24 * 3600
        assert (b["experiments_open"], b["materials_shared"], b["materials_opened"],
                b["materials_done"]) == (1, 1, 1, 1)
        assert b["position"] == len(events.recorded)  # the last event that touched it
