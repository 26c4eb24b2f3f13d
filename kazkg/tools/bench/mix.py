"""The query mix: the competency queries of queries/, repeated, plus unique variants of them
(the same query with a different LIMIT, so no answer cache can serve it) and label look-ups."""

from __future__ import annotations

import random
import re

from ...query import catalog

LABEL_LOOKUP = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?resource ?type WHERE {{ ?resource rdfs:label {label} . OPTIONAL {{ ?resource a ?type }} }}"""
_HAS_LIMIT = re.compile(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?$", re.IGNORECASE)


def competency() -> dict[str, str]:
    """name -> text of every catalog query."""
    return {name: q.text for name, q in catalog.load_all().items()}


def variant(text: str, n: int) -> str:
    """`text` made unique without changing its answer (a LIMIT above any result size)."""
    body = text.rstrip()
    if _HAS_LIMIT.search(body):
        return f"{body}\n# variant {n}\n"
    return f"{body}\nLIMIT {100000 + n}\n"


def labels(dataset, language: str = "en", most: int = 2000) -> list[str]:
    """English labels of the dataset's resources, as SPARQL literals."""
    from rdflib.namespace import RDFS

    found = sorted({o.n3() for o in dataset.objects(None, RDFS.label)
                    if getattr(o, "language", None) == language})
    return found[:most]


def build(queries: dict[str, str], label_terms: list[str], total: int, unique_share: float,
          seed: int = 5) -> list[tuple[str, str]]:
    """`total` (kind, text) requests: `unique_share` of them never seen before (variants and
    label look-ups), the rest the competency queries as they are, shuffled with `seed`."""
    rng = random.Random(seed)
    names = sorted(queries)
    mix = []
    unique = int(total * unique_share)
    for i in range(unique):
        if i % 2 and label_terms:
            label = label_terms[i // 2 % len(label_terms)]
            mix.append(("label", LABEL_LOOKUP.format(label=label) + f"\nLIMIT {1000 + i}\n"))
        else:
            mix.append(("variant", variant(queries[names[i // 2 % len(names)]], i)))
    for i in range(total - unique):
        mix.append(("repeat", queries[names[i % len(names)]]))
    rng.shuffle(mix)
    return mix
