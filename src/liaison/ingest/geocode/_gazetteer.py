"""A gazetteer: places from several sources, looked up by name with
transliteration-tolerant matching, and the nearest place to a point."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from liaison.geodesy import distance_m
from liaison.ingest.geocode._names import normal_key, skeleton_key, spelling_key

__all__ = ["Gazetteer", "GeocodeError", "Match", "Place", "distance_m"]

#: Two sources naming the same place this far apart are reported as disagreeing.
CONFLICT_M = 25_000.0
#: Lowest rapidfuzz ratio (0–100) accepted for a fuzzy match.
FUZZY_CUTOFF = 85.0
#: Lowest ratio for a place found by its consonant skeleton.
SKELETON_GUARD = 70.0

MatchMethod = Literal["exact", "normal", "spelling", "skeleton", "fuzzy"]


class GeocodeError(ValueError):
    """A place name the gazetteer cannot resolve; the message says what was tried."""


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. ``radius_m`` is the extent of the place around its
    point (a town centre stands for the whole town)."""

    name: str
    latitude: float
    longitude: float
    country: str | None
    source: str
    radius_m: float = 3_000.0
    population: int | None = None
    region: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Match:
    """The place a name resolved to, how, and how sure.

    ``score`` is 100 for exact and key matches, the rapidfuzz ratio for skeleton
    and fuzzy ones. ``elsewhere`` lists entries of other sources under the same
    spelling more than ``CONFLICT_M`` away: the gazetteers disagree about the
    place, or the name is ambiguous.
    """

    query: str
    place: Place
    method: MatchMethod
    score: float
    candidates: int = 1
    elsewhere: tuple[Place, ...] = field(default=())


class Gazetteer:
    """Places from several sources. Earlier sources are preferred when names tie.

    Lookup order: the exact name, the normal key (ASCII, no articles or
    punctuation), the spelling key (no doubled letters), the consonant skeleton
    (when the spelling is still within a ratio of ``SKELETON_GUARD``), then a
    fuzzy match (rapidfuzz ratio ≥ ``fuzzy_cutoff`` on normal keys without
    spaces). Among equal candidates the one in the hinted country wins, then the
    earlier source, then the larger population; a skeleton or fuzzy match outside
    the hinted country is refused.
    """

    def __init__(self, places: Iterable[Place], *, fuzzy_cutoff: float = FUZZY_CUTOFF) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self.fuzzy_cutoff = fuzzy_cutoff
        self._exact: dict[str, list[int]] = {}
        self._normal: dict[str, list[int]] = {}
        self._spelling: dict[str, list[int]] = {}
        self._skeleton: dict[str, list[int]] = {}
        sources: dict[str, int] = {}
        for i, place in enumerate(self.places):
            sources.setdefault(place.source, len(sources))
            for name in (place.name, *place.aliases):
                _add(self._exact, name.strip().casefold(), i)
                _add(self._normal, normal_key(name), i)
                _add(self._spelling, spelling_key(name), i)
                _add(self._skeleton, skeleton_key(name), i)
        self._priority = [sources[p.source] for p in self.places]
        self._compact: dict[str, list[int]] = {}
        for key, found in self._normal.items():
            for i in found:
                _add(self._compact, key.replace(" ", ""), i)
        self._compact_keys = list(self._compact)
        self._cache: dict[tuple[str, str | None], Match | None] = {}

    def __len__(self) -> int:
        return len(self.places)

    @property
    def sources(self) -> list[str]:
        """Source names, most preferred first."""
        return list(dict.fromkeys(p.source for p in self.places))

    def lookup(self, name: str, country: str | None = None) -> Match | None:
        """The best place for ``name`` (``country``: ISO alpha-2 hint), or None."""
        key = (name, country)
        if key not in self._cache:
            self._cache[key] = self._lookup(name, country)
        return self._cache[key]

    def resolve(self, name: str, country: str | None = None) -> Match:
        """Like ``lookup`` but raises ``GeocodeError`` naming the closest names."""
        match = self.lookup(name, country)
        if match is None:
            raise GeocodeError(self._not_found(name))
        return match

    def nearest(self, latitude: float, longitude: float) -> tuple[Place, float]:
        """The place nearest to a point, and its distance in metres."""
        if not self.places:
            raise GeocodeError("the gazetteer is empty")
        best = min(
            self.places, key=lambda p: distance_m(latitude, longitude, p.latitude, p.longitude)
        )
        return best, distance_m(latitude, longitude, best.latitude, best.longitude)

    def _lookup(self, name: str, country: str | None) -> Match | None:
        text = name.strip()
        if not text:
            return None
        query = _compact(text)
        exact = self._exact.get(text.casefold(), [])
        normal = self._normal.get(normal_key(text), [])
        spelling = self._spelling.get(spelling_key(text), [])
        related = [*exact, *normal, *spelling]
        for method, found in (("exact", exact), ("normal", normal), ("spelling", spelling)):
            if found:
                return self._pick(text, found, method, 100.0, country, related)  # type: ignore[arg-type]
        skeleton = self._guarded(query, self._skeleton.get(skeleton_key(text), []))
        if skeleton:
            top = max(score for _, score in skeleton)
            best = [i for i, score in skeleton if score == top]
            return self._weak(self._pick(text, best, "skeleton", top, country, best), country)
        return self._weak(self._fuzzy(text, query, country), country)

    @staticmethod
    def _weak(match: Match | None, country: str | None) -> Match | None:
        """A loose match outside the hinted country is no match: the name is
        probably another place's (an exact name may still cross the border)."""
        if match is None or country is None or match.place.country in (None, country):
            return match
        return None

    def _guarded(self, query: str, found: Sequence[int]) -> list[tuple[int, float]]:
        """Skeleton candidates whose spelling is still close to the query's: the
        skeleton alone confuses short names (Bashir and Basrah share one)."""
        from rapidfuzz import fuzz

        out = []
        for i in found:
            p = self.places[i]
            score = max(fuzz.ratio(query, _compact(n)) for n in (p.name, *p.aliases))
            if score >= SKELETON_GUARD:
                out.append((i, float(score)))
        return out

    def _fuzzy(self, text: str, query: str, country: str | None) -> Match | None:
        from rapidfuzz import fuzz, process

        if len(query) < 5:  # short names match too much by chance
            return None
        hits = process.extract(
            query, self._compact_keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_cutoff, limit=5
        )
        if not hits:
            return None
        top = hits[0][1]
        found = [i for key, score, _ in hits if score == top for i in self._compact[key]]
        return self._pick(text, found, "fuzzy", float(top), country, found)

    def _pick(
        self,
        text: str,
        found: Sequence[int],
        method: MatchMethod,
        score: float,
        country: str | None,
        related: Sequence[int],
    ) -> Match:
        def rank(i: int) -> tuple[int, int, int]:
            p = self.places[i]
            return (
                0 if country and p.country == country else 1,
                self._priority[i],
                -(p.population or 0),
            )

        ordered = sorted(dict.fromkeys(found), key=rank)
        best = self.places[ordered[0]]
        elsewhere = tuple(
            self.places[i]
            for i in dict.fromkeys(related)
            if self.places[i].source != best.source
            and (country is None or self.places[i].country in (None, country))
            and distance_m(
                best.latitude, best.longitude, self.places[i].latitude, self.places[i].longitude
            )
            > CONFLICT_M
        )
        return Match(text, best, method, score, len(ordered), elsewhere)

    def _not_found(self, name: str) -> str:
        from rapidfuzz import fuzz, process

        close = process.extract(_compact(name), self._compact_keys, scorer=fuzz.ratio, limit=3)
        hint = ", ".join(f"{self.places[self._compact[k][0]].name} ({s:.0f})" for k, s, _ in close)
        sources = ", ".join(self.sources) or "none"
        return f"place {name!r} not found in the gazetteer (sources: {sources}; closest: {hint})"


def _compact(name: str) -> str:
    return normal_key(name).replace(" ", "")


def _add(index: dict[str, list[int]], key: str, i: int) -> None:
    if key:
        bucket = index.setdefault(key, [])
        if not bucket or bucket[-1] != i:
            bucket.append(i)
