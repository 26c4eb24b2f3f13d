"""Search by name, whatever the script or the transliteration.

Every label (rdfs:label, skos:prefLabel, and the historical skos:altLabel names) in kk, ru
and en is reduced to a *key*: Cyrillic (Kazakh letters included) is transliterated to Latin,
then spelling variants that transliterations disagree on are folded together (ch/sh, zh/dzh/j,
y/i, ou/u, kh/h, soft and hard signs, doubled letters, hyphens and spaces). So "Өскемен" and
"Oskemen" share a key, as do "Shymkent", "Chimkent" and "Шымкент"; "Усть-Каменогорск" and
"Ust-Kamenogorsk" share another, and both belong to the same city.
"""

from __future__ import annotations

import difflib
import heapq
import re
import time
import unicodedata
from dataclasses import dataclass

CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "i", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# Applied in order, after transliteration: variants that different systems use for one sound.
FOLDS = (
    ("dzh", "j"), ("zh", "j"), ("dj", "j"), ("tch", "sh"), ("ch", "sh"), ("kh", "h"),
    ("ou", "u"), ("w", "v"), ("y", "i"), ("'", ""), ("’", ""), ("ʼ", ""),
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"(.)\1+")


def latin(text: str) -> str:
    """Lower-case Latin letters: Cyrillic transliterated, other diacritics dropped."""
    out = []
    for char in text.lower():
        out.append(CYRILLIC.get(char, char))
    decomposed = unicodedata.normalize("NFKD", "".join(out))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of a name: `Усть-Каменогорск` -> ['ust', 'kamenogorsk']."""
    folded = latin(text)
    for old, new in FOLDS:
        folded = folded.replace(old, new)
    return [_DOUBLE.sub(r"\1", w) for w in _NOT_WORD.split(folded) if w]


def key(text: str) -> str:
    """One string per name, spaces and hyphens gone: the unit of comparison."""
    return "".join(words(text))


@dataclass(frozen=True)
class Hit:
    iri: str
    score: float
    matched: str  # the label that matched best
    matched_lang: str = ""  # its language tag


MAX_CHARS = 100  # longer search terms are refused: no name in the data is near that long
MAX_WORDS = 8
NEAR = 0.8  # a near spelling: difflib's ratio at least this
# What of a label is matched: its first 300 characters (the longest name in the bundled data
# has 199), its distinct words. A write may give a resource a label of any length: 300 labels
# of 250 KB made each search scan 10 million words (8-35 s) and start-up fold them (36 s).
LABEL_CHARS = 300
SEARCH_SECONDS = 1.0  # a search compares labels for at most this long (about 0.1 s: 8,000)


@dataclass(frozen=True)
class Label:
    text: str
    bonus: float  # a historical (alternative) name ranks just below a current one
    key: str
    words: tuple
    lang: str = ""


def index(names) -> dict[str, list[Label]]:
    """Every labelled IRI of `names` (a kazkg.web.lookup.Names) with its labels' keys, folded
    once per dataset instead of once per search."""
    found = {}
    for iri in set(names.labels) | set(names.alt):
        if _is_part(names.asserted_types.get(iri) or names.types.get(iri, set())):
            continue  # a mention's target or selector: the mention itself is found
        texts = [(text, 0.0, lang) for lang, text in names.labels.get(iri, {}).items()]
        texts += [(str(alt), -1.0, alt.language or "") for alt in names.alt.get(iri, [])]
        found[iri] = [_label(text, bonus, lang) for text, bonus, lang in texts]
    return found


def _label(text: str, bonus: float, lang: str) -> Label:
    """A label as search reads it: its first LABEL_CHARS characters, each word once, so that
    what one label costs a search (and the index) is bounded whatever the data holds."""
    matched = words(text[:LABEL_CHARS])
    return Label(text, bonus, "".join(matched), tuple(dict.fromkeys(matched)), lang)


def _near(matcher: difflib.SequenceMatcher, query_key: str, candidate: str) -> float:
    """difflib's ratio, but only computed when the cheap upper bounds allow NEAR: a term
    cannot be near a name of very different length, so most labels cost a comparison."""
    shorter, longer = sorted((len(query_key), len(candidate)))
    if not longer or 2 * shorter / (shorter + longer) < NEAR:
        return 0.0
    matcher.set_seq1(candidate)
    if matcher.real_quick_ratio() < NEAR or matcher.quick_ratio() < NEAR:
        return 0.0
    return matcher.ratio()


def score(query_key: str, query_words: list[str], label: Label,
          matcher: difflib.SequenceMatcher) -> float:
    """How well one label matches the query: 100 same name, 80 starts with it, 60 a word
    starts with it, 40 contains it, else up to 30 for a near spelling."""
    if not label.key or not query_key:
        return 0.0
    if label.key == query_key:
        return 100.0
    if label.key.startswith(query_key):
        return 80.0
    if all(any(w.startswith(q) for w in label.words) for q in query_words):
        return 60.0
    if query_key in label.key:
        return 40.0
    best = max((_near(matcher, query_key, w) for w in (label.key, *label.words)), default=0.0)
    return round(30.0 * best, 1) if best >= NEAR else 0.0


def too_long(query: str) -> str | None:
    """Why search terms are refused, or None: the work of a search grows with their length."""
    if len(query) > MAX_CHARS:
        return f"search terms are limited to {MAX_CHARS} characters (these have {len(query)})"
    if len(words(query)) > MAX_WORDS:
        return f"search terms are limited to {MAX_WORDS} words"
    return None


class Hits(list):
    """The best hits; `complete` False when the search stopped at its time limit."""

    complete = True


def search(query: str, labels: dict[str, list[Label]], types, limit: int = 50,
           seconds: float | None = None) -> Hits:
    """Ranked hits among `labels` (from index()); `types` maps an IRI to its classes. Past
    `seconds` (SEARCH_SECONDS) the labels not yet compared are left out (and the Hits say so): what a label
    costs is bounded, but the labels are as many as the data holds (100,000 made a search
    of 'regoin' 22 s)."""
    query_key, query_words = key(query), words(query)
    if not query_key or too_long(query):
        return Hits()
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(query_key)
    hits, found = [], Hits()
    deadline = time.monotonic() + (SEARCH_SECONDS if seconds is None else seconds)
    for count, (iri, candidates) in enumerate(labels.items()):
        if count % 256 == 0 and time.monotonic() > deadline:
            found.complete = False
            break
        best, matched, matched_lang = 0.0, "", ""
        for label in candidates:
            value = score(query_key, query_words, label, matcher)
            if value and value + label.bonus > best:
                best, matched, matched_lang = value + label.bonus, label.text, label.lang
        if best > 0:
            # Things people look for (places, enterprises) first, then the events that befell
            # them (whose labels begin with their names), then the records about either
            hits.append(Hit(iri, best - _demotion(types.get(iri, set())), matched, matched_lang))
    found.extend(heapq.nsmallest(limit, hits, key=lambda h: (-h.score, len(h.matched), h.iri)))
    return found


RECORD_CLASSES = ("Assertion", "Geometry", "Sentence", "Paragraph", "NameUse", "SourceConflict",
                  "AdministrativeMembership", "Identification", "EditorialStatement", "Mention")


PART_CLASSES = ("SpecificResource", "TextQuoteSelector", "TextPositionSelector")


def _is_part(types: set[str]) -> bool:
    return bool(types) and all(t.rsplit("#", 1)[-1] in PART_CLASSES for t in types)


def _demotion(types: set[str]) -> float:
    """What a hit loses for its kind: 20 for a record, 5 for an event, 0 for a thing."""
    local = {t.rsplit("#", 1)[-1] for t in types}
    if local.intersection(RECORD_CLASSES):
        return 20.0
    return 5.0 if "Event" in local else 0.0
