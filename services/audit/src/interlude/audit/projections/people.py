"""People of each organisation as audit needs them (:mod:`interlude.shared.directory`): the
roles and sealed name of whoever read a person's data, so that "who has read my data" can name
the coach who read a check-in. Its table comes from migration 0004."""

from __future__ import annotations

from interlude.shared import directory

NAME = "audit-people"


class People(directory.People):
    name = NAME
