"""Generate a realistic annotated-triples CSV of film production facts, for benchmarks.

    python benchmarks/generate.py --rows 1000000 -o /tmp/films.csv

Films, people, scenes, characters, songs, training with durations, consultants, awards,
sources and quotes, with names that repeat the way real ones do (a few thousand first and
last names combined, so the same person turns up across many films). Deterministic per seed.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from pathlib import Path

HEADER = [
    "subject", "predicate", "object", "subject_type", "object_type", "character", "duration", "skill",
    "role", "date", "for-work", "ceremony", "source", "quote",
]  # fmt: skip
_FIRST = ["Mikey", "Sean", "Andrea", "Mark", "Yura", "Brooke", "Greta", "Paul", "Ana", "Luca", "Mia", "Omar",
          "Chen", "Ines", "Kofi", "Lena", "Raj", "Sofia", "Tom", "Yuki", "Zoe", "Ivan", "Nadia", "Emil"]
_LAST = ["Madison", "Baker", "Werhun", "Eydelshteyn", "Borisov", "Candy", "Gerwig", "Thomas", "Silva",
         "Rossi", "Kim", "Haddad", "Wei", "Moreau", "Mensah", "Novak", "Patel", "Garcia", "Berg", "Sato"]
_WORDS = ["Night", "River", "Dance", "Glass", "Summer", "Brooklyn", "Snow", "Mirror", "Gold", "Echo",
          "Winter", "Song", "Road", "Fire", "Silent", "Last", "Paper", "Moon", "Velvet", "Storm"]
_SKILLS = ["pole dancing", "boxing", "horse riding", "a Russian accent", "piano", "sword fighting", "ballet"]
_ROLES = ["technical advisor", "consultant", "historical advisor", "intimacy coordinator", "dialect coach"]
_AWARDS = ["Academy Award for Best Actress", "Academy Award for Best Director", "Palme d'Or",
           "Golden Globe for Best Actor", "BAFTA for Best Film", "Independent Spirit Award"]
_DURATIONS = ["P5M", "P20W", "P3M", "P10D", "P1Y", "P6W", "5 months", "ten days", "half a year"]


def _name(rng: random.Random, pool: int) -> str:
    n = rng.randrange(pool)
    return f"{_FIRST[n % len(_FIRST)]} {_LAST[(n // len(_FIRST)) % len(_LAST)]} {n // (len(_FIRST) * len(_LAST)) or ''}".strip()


def rows(count: int, *, seed: int = 7) -> Iterator[list[str]]:
    """``count`` rows of annotated triples."""
    rng = random.Random(seed)
    films = max(count // 25, 10)
    people = max(count // 6, 50)
    for i in range(count):
        film = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.randrange(films)}"
        person = _name(rng, people)
        source = f"https://example.org/articles/{rng.randrange(max(count // 50, 5))}"
        quote = f"{person} worked on {film}, as the article says in paragraph {rng.randrange(40)}."
        kind = rng.random()
        row = dict.fromkeys(HEADER, "")
        row.update(source=source, quote=quote)
        if kind < 0.35:
            row.update(subject=person, predicate="acted-in", object=film,
                       character=f"{rng.choice(_FIRST)} ({film.split()[-1]})")
        elif kind < 0.42:
            row.update(subject=person, predicate="directed", object=film, object_type="Film")
        elif kind < 0.52:
            scene = f"{film} scene {rng.randrange(30)}"
            row.update(subject=person, predicate="trained-for", object=scene, object_type="Scene",
                       duration=rng.choice(_DURATIONS), skill=rng.choice(_SKILLS))
        elif kind < 0.58:
            row.update(subject=person, predicate="advised", object=film, object_type="Film", role=rng.choice(_ROLES))
        elif kind < 0.62:
            row.update(subject=person, predicate="choreographed", object=f"{film} scene {rng.randrange(30)}",
                       object_type="Scene")
        elif kind < 0.72:
            row.update(subject=f"{film} scene {rng.randrange(30)}", predicate="scene-of", object=film)
        elif kind < 0.77:
            row.update(subject=f"{film} scene {rng.randrange(30)}", predicate="features-song",
                       object=f"{rng.choice(_WORDS)} {rng.randrange(films)} (song)")
        elif kind < 0.81:
            row.update(subject=person, predicate="performed", object=f"{rng.choice(_WORDS)} {rng.randrange(films)} (song)")
        elif kind < 0.87:
            row.update(subject=person, predicate="won-award", object=rng.choice(_AWARDS), subject_type="Person",
                       date=str(1990 + rng.randrange(35)), **{"for-work": film},
                       ceremony=f"{rng.randrange(60, 98)}th ceremony")
        elif kind < 0.94:
            row.update(subject=person, predicate="nominated-for", object=rng.choice(_AWARDS), subject_type="Person",
                       date=str(1990 + rng.randrange(35)), **{"for-work": film})
        else:
            row.update(subject=film, predicate="distributed-by", object=f"{rng.choice(_WORDS)} Pictures")
        yield [row[h] for h in HEADER]


def write(path: Path, count: int, *, seed: int = 7) -> Path:
    """Write ``count`` rows to ``path`` (CSV)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(count, seed=seed))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    write(args.output, args.rows, seed=args.seed)
