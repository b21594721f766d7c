"""What web makes of the new answers: readers of my data named only where audit names them, a
peer circle's comma-separated challenges, a stepped-out name beside the pseudonym, and the
refusals of an export or of stepping out in words."""

from __future__ import annotations

from starlette.datastructures import FormData

from interlude.web.pages.circles import about_circle
from interlude.web.pages.my_data import content, reader
from interlude.web.render import who
from interlude.web.upstream import UpstreamProblem
from interlude.web.wording import exporting, stepping_out


def _read(**reader_fields: object) -> dict[str, object]:
    return {"reader": {"kind": "person", "roles": ["coach"], "id": None, "name": None,
                       **reader_fields},
            "service": "community", "content": "space_feed"}


def test_a_reader_in_a_space_is_shown_by_their_part_never_a_name() -> None:
    assert reader(_read()) == ("a coach of a community space you are in (by their part only)")
    assert reader(_read(id="u1", name="Claire Coach")) == "Claire Coach (a coach)"
    assert reader(_read(kind="service", roles=[])) == "Interlude's community service, on its own"
    assert content(_read()) == "a community space's posts"


def test_a_circles_challenges_are_read_from_commas_without_blanks_or_repeats() -> None:
    form = FormData([("challenges", " burnout, endings,, burnout ,"), ("findable", "yes"),
                     ("methodology", "systemic")])
    assert about_circle(form) == {"methodology": "systemic", "challenges": ["burnout", "endings"],
                                  "context": "", "findable": True}
    assert about_circle(FormData([]))["challenges"] == []


def test_a_stepped_out_name_shows_beside_the_pseudonym_to_others_only() -> None:
    assert who({"name": "Quiet Heron", "stepped_out_name": "Amira Haddad", "you": False}) == \
        "Quiet Heron (Amira Haddad)"
    assert who({"name": "Quiet Heron", "stepped_out_name": None, "you": False}) == "Quiet Heron"
    assert who({"name": "Quiet Heron", "stepped_out_name": "Amira Haddad", "you": True}) == \
        "Quiet Heron"


def test_refusals_say_what_to_do() -> None:
    assert "Five exports" in exporting(UpstreamProblem(429, "too-many-exports", "5 ready"))
    blocked = exporting(UpstreamProblem(403, "policy-blocked", "off",
                                        {"block": "export.self_service"}))
    assert "compliance officer" in blocked and "export.self_service" not in blocked
    required = stepping_out(UpstreamProblem(403, "policy-blocked", "required",
                                            {"block": "community.pseudonyms"}))
    assert "stay known by their pseudonym" in required
