"""Pseudonyms: how a member of a pseudonymous space is known to peers. Chosen or suggested,
unique in the space (whatever the case), and stable: a member who leaves and comes back keeps
theirs, and nobody else can take it meanwhile."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

from interlude.community.domain.errors import Invalid, PseudonymTaken

_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9 '\-]{1,30}[A-Za-z0-9]$")
ADJECTIVES = ("Quiet", "Bold", "Steady", "Curious", "Gentle", "Bright", "Patient", "Brave",
              "Calm", "Clear", "Kind", "Swift", "Warm", "Wise", "Keen", "Frank")
ANIMALS = ("Heron", "Otter", "Falcon", "Badger", "Lynx", "Robin", "Marten", "Crane", "Hare",
           "Wren", "Stag", "Kestrel", "Orca", "Puffin", "Ibex", "Swift")


def key(pseudonym: str) -> str:
    """Two pseudonyms are the same when they differ only in case or spacing."""
    return " ".join(pseudonym.split()).casefold()


def check(pseudonym: str, taken: Collection[str], real_name: str | None) -> str:
    """The pseudonym tidied, or the reason it cannot be used. ``taken`` holds the keys of the
    pseudonyms of everyone else who ever joined the space."""
    tidy = " ".join(pseudonym.split())
    if not _SHAPE.match(tidy):
        raise Invalid("a pseudonym is 3 to 32 letters, digits, spaces, hyphens or apostrophes, "
                      "starting with a letter", field="pseudonym")
    if real_name and any(len(part) >= 3 and part.casefold() in tidy.casefold()
                         for part in re.split(r"[\s\-']+", real_name)):
        raise Invalid("this pseudonym contains part of your name and would tell peers who you "
                      "are; choose another", field="pseudonym")
    if key(tidy) in taken:
        raise PseudonymTaken("someone in this space already goes by this pseudonym; choose "
                             "another or leave it out to get a suggestion", field="pseudonym")
    return tidy


def suggest(seed: str, taken: Collection[str]) -> str:
    """A free pseudonym, the same for the same ``seed`` while it stays free."""
    start = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big")
    combos = len(ADJECTIVES) * len(ANIMALS)
    for n in range(combos):
        i = (start + n * 7919) % combos  # 7919 is prime to 256: every combination is visited
        name = f"{ADJECTIVES[i // len(ANIMALS)]} {ANIMALS[i % len(ANIMALS)]}"
        if key(name) not in taken:
            return name
    for n in range(2, 10_000):
        name = f"{ADJECTIVES[start % len(ADJECTIVES)]} {ANIMALS[start % len(ANIMALS)]} {n}"
        if key(name) not in taken:
            return name
    raise PseudonymTaken("no pseudonym is left to suggest; choose one")
