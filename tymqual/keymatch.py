"""Finding the originals of a pseudonymisation key, inflected, in any text.

One matcher serves :mod:`tymqual.privacy` (checking a key's labels, counting candidates,
pseudonymising) and :mod:`tymqual.leaks` (the leak check), so a pseudonymised project never
fails its own leak check. The rules it follows (word bounds, Finnish stems and endings, the
analyser, identifiers and phone numbers) are set out for the analyst in the module docstring
of :mod:`tymqual.privacy`, under "How originals are found"; keep the two in step.

A private module: its names are shared by those two modules, not part of the public API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from tymqual.errors import TymqualError

__all__ = [
    "DASHES",
    "ENDING",
    "HETU",
    "VOWELS",
    "Edit",
    "Entry",
    "Hit",
    "Lemmatiser",
    "Matcher",
    "finnish_analyser",
    "inflection_stems",
]


class Lemmatiser(Protocol):
    def lemmas(self, word: str) -> Sequence[str]: ...


def finnish_analyser() -> Lemmatiser | None:
    """The project's Finnish analyser, or None: the suffix rules then work alone."""
    try:
        from tymqual.morphology import get_analyser
    except ImportError:
        return None
    try:
        return get_analyser()
    except TymqualError:
        return None


# A Finnish personal identity code (hetu); a phone-number spelling must not match one.
HETU = re.compile(r"(?<![\w+-])(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])(?![^\W_])")

_TOKEN = re.compile(r"[^\W_]+")
DASHES = "\u2010\u2011\u2012\u2013\u2014-"  # hyphen last: literal in [...]
_LOOSE_SEP = re.compile(rf"[\s{DASHES}]{{1,3}}")
VOWELS = "aeiouyäöå"
_CASES = ("n|a|ä|ta|tä|tta|ttä|na|nä|ksi|ssa|ssä|sta|stä|lla|llä|lta|ltä|lle|ne|t|en|den|"
          "tten|ten|jen|ja|jä|[aeiouyäöå]n|h[aeiouyäö]n|seen|siin|s|l|st|lt|"
          # with the third-person possessive written as a long vowel + n (Joensuussaan)
          "ssaan|ssään|staan|stään|llaan|llään|ltaan|ltään|lleen|kseen|naan|nään|taan|tään")
ENDING = re.compile(
    r"(?:lai(?:nen|se|s)|läi(?:nen|se|s))?"  # demonyms: joensuulainen, joensuulaisille
    rf"i?(?:{_CASES})?"  # i: plural or linking vowel; s, l, st, lt: spoken clipped endings
    r"(?:ni|si|nsa|nsä|mme|nne)?"  # possessive suffixes
    r"(?:kin|kaan|kään|han|hän|pa|pä|ko|kö)?"  # clitics
)
# Endings an analyser-only match shows after the label; longest first.
_SHOWN_ENDINGS = tuple(sorted(
    ("ssa ssä sta stä lla llä lta ltä lle ksi na nä ta tä n a ä t seen hin hen han hän hon hun "
     "hyn hön").split(), key=len, reverse=True))
_GRADE = re.compile(rf"^(.*?)(kk|pp|tt|nk|nt|mp|lt|rt|ht|[ktp])([{VOWELS}])$")
_WEAK = {"kk": "k", "pp": "p", "tt": "t", "nk": "ng", "nt": "nn", "mp": "mm", "lt": "ll",
         "rt": "rr", "ht": "hd", "k": "", "t": "d", "p": "v"}
# An -e word's stem takes the strong grade (Hake: Hakkeen, Kide: Kiteen, Tarve: Tarpeen).
# Not nn, mm: first names keep them (Anne: Annen), and Anne → antee- would find "anteeksi".
_E_GRADE = re.compile(rf"^(.*?[{VOWELS}hlr])(ng|ll|rr|hd|d|v|k|p|t)e$")
_STRONG = {"ng": "nk", "ll": "lt", "rr": "rt", "hd": "ht", "d": "t", "v": "p", "k": "kk",
           "p": "pp", "t": "tt"}
_PHONE_SEP = r"[\s\-./()]*"


def inflection_stems(word: str) -> frozenset[str]:
    """Lower-case stems an inflected form of ``word`` may start with (see module docstring)."""
    stems = {word}
    if len(word) > 4 and word.endswith("nen"):
        stems |= {word[:-3] + "se", word[:-3] + "s"}
    elif word.endswith("e"):
        stems.add(word + "e")
        graded = _E_GRADE.match(word)
        if graded is not None and len(word) >= 4 and (
                len(graded.group(2)) == 2 or graded.group(1)[-1] in VOWELS + "hlr"):
            stems.add(graded.group(1) + _STRONG[graded.group(2)] + "ee")
    elif len(word) > 3 and word.endswith("i"):
        stems.add(word[:-1] + "e")
    for stem in list(stems):
        match = _GRADE.match(stem)
        if match is None or len(stem) < 4:
            continue
        head, strong, vowel = match.groups()
        # A lone k/t/p weakens after a vowel or h, l, r only (Turku, Seinäjoki; not Kotka).
        if len(strong) == 1 and head[-1:] not in set(VOWELS + "hlr"):
            continue
        stems.add(head + _WEAK[strong] + vowel)
    return frozenset(stems)


def _shown_ending(ending: str) -> str:
    """The ending as shown after a label: a linking or plural ``i`` is dropped."""
    if len(ending) > 1 and ending[0] in "iI" and ENDING.fullmatch(ending[1:].lower()):
        return ending[1:]
    return ending


def _is_identifier(original: str) -> bool:
    return "@" in original or any(ch.isdigit() for ch in original)


def _identifier_pattern(original: str) -> re.Pattern[str]:
    """E-mail and other identifiers as written; a phone number in any common spelling."""
    digits = re.sub(r"\D", "", original)
    if re.fullmatch(r"[\d\s()+./-]+", original) and len(digits) >= 6 and not HETU.search(
            original):
        national = None
        if re.match(r"\s*(?:\+|00)\s*358", original):
            national = digits[5:] if digits.startswith("00") else digits[3:]
            national = national.removeprefix("0")
        elif digits.startswith("0"):
            national = digits[1:]
        if national:
            body = _PHONE_SEP.join(national)
            prefix = rf"(?:(?:\+|00)\s*358{_PHONE_SEP}(?:\(0\){_PHONE_SEP})?|0)"
            return re.compile(rf"(?<![\d+]){prefix}{_PHONE_SEP}{body}(?!\d)")
        return re.compile(rf"(?<![\d+]){_PHONE_SEP.join(digits)}(?!\d)")
    literal = r"\s+".join(re.escape(part) for part in original.split())
    return re.compile(rf"(?<![^\W_]|[.@+-]){literal}(?![^\W_@]|[.-][^\W_])", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    original: str
    label: str
    kind: str
    words: tuple[str, ...]  # lower-case words of a name; empty for an identifier
    seps: tuple[str, ...]  # what separates the words in the original
    pattern: re.Pattern[str] | None  # identifiers only


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    entry: int  # row of the key
    ending: str  # the inflectional ending as written, "" for none
    tail: str = ""  # the rest of a compound after the name (Virtasen|tiimi), as written
    uncertain: bool = False  # a name that is also a common word, capitalised at a sentence start


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    new_start: int
    new_end: int
    kind: str
    label: str


@dataclass(frozen=True)
class _Unit:
    """One word that matches on its own: a one-word original, or a part of a person's name."""

    entry: int
    word: str
    common: bool  # also an ordinary word (kivi, laine): decided by capitalisation
    stems: frozenset[str]
    person: bool


# Names that are also ordinary words, for when no analyser can tell.
_COMMON_NAMES = frozenset(
    "aalto aho armas aura haapa halla harju hilja honka into kallio kari kaste kivi koivu koski "
    "kuusi laakso lahja lahti laine lehto lumi marja merja mäki niemi nurmi onni orvokki paju "
    "rauha ranta ruusu saari salo sampo satu suvi taimi tähti toivo tuuli usko valo vuori "
    "järvi".split())
_NAME_CLASSES = frozenset({"etunimi", "sukunimi", "nimi", "paikannimi"})
# Name particles that stand alone as ordinary words in other languages' names.
_NOT_ALONE = frozenset({"von", "van", "der", "den", "de", "af", "la", "le", "di", "da", "del"})
_MIN_ALONE = 3
_MIN_COMPOUND_TAIL = 3
_MIN_NAME_WITH_JOINT = 5  # Salon|katu, Virtasen|tiimi: the name part when no analyser checks
_OPENING = "\"'«»([“”‘’*" + DASHES


def _is_common(word: str, analyser: Lemmatiser | None) -> bool:
    classes = getattr(analyser, "word_classes", None)
    if callable(classes):
        found = classes(word)
        if found:
            return any(c not in _NAME_CLASSES for c in found)
    return word in _COMMON_NAMES


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and (text[i] in _OPENING or text[i].isspace()) and text[i] != "\n":
        i -= 1
    return i < 0 or text[i] in ".!?…:\n"


def _stands_as_name(text: str, end: int) -> bool:
    """A word alone in its text (a speaker list, a cell) or a speaker label (``Kivi:``)."""
    rest = text[end:].lstrip(" \t")
    return not rest.strip() or rest.startswith(":")


def _separator_ok(original: str, found: str) -> bool:
    if original and all(ch.isspace() or ch in DASHES for ch in original):
        return bool(_LOOSE_SEP.fullmatch(found))
    return found.lower() == original.lower()


class Matcher:
    """Finds the key's originals, inflected, in any text (see the module docstring)."""

    def __init__(self, key: pd.DataFrame, analyser: Lemmatiser | None) -> None:
        """``key``: a checked key (columns ``original, label, kind``, see ``privacy.read_key``);
        ``analyser``: a Finnish analyser (:func:`finnish_analyser`), or None for the suffix
        rules alone."""
        self.entries: list[Entry] = []
        self._analyser = analyser
        self.units: list[_Unit] = []
        self._alone: set[int] = set()  # units that match standing alone
        self._last: dict[int, int] = {}  # entry -> the unit of its last word
        self._stems: dict[str, list[int]] = {}  # stem -> units
        self._lemmas: dict[str, list[int]] = {}
        self._first: dict[str, list[int]] = {}
        self._prefixes: set[str] = set()
        self._forms: dict[str, dict[int, tuple[int, int]]] = {}
        for i, (original, label, kind) in enumerate(
                key[["original", "label", "kind"]].itertuples(index=False)):
            self.entries.append(self._entry(i, str(original), str(label), str(kind)))

    def _entry(self, i: int, original: str, label: str, kind: str) -> Entry:
        tokens = list(_TOKEN.finditer(original))
        if _is_identifier(original) or not tokens:
            return Entry(original, label, kind, (), (), _identifier_pattern(original))
        words = tuple(t.group().lower() for t in tokens)
        seps = tuple(original[a.end():b.start()] for a, b in zip(tokens, tokens[1:], strict=False))
        # Every part of a person's name identifies on its own (Matti, Virtasen); the parts of
        # a place or an organisation (Pohjois-, Karjala) need not.
        alone = {len(words) - 1} if len(words) == 1 else set()
        if kind == "person":
            alone |= {j for j, w in enumerate(words)
                      if len(w) >= _MIN_ALONE and w.isalpha() and w not in _NOT_ALONE}
        for j, word in enumerate(words):
            if j != len(words) - 1 and j not in alone:
                continue
            unit = len(self.units)
            self.units.append(_Unit(i, word, kind == "person" and _is_common(word, self._analyser),
                                    inflection_stems(word), kind == "person"))
            if j in alone:
                self._alone.add(unit)
            if j == len(words) - 1:
                self._last[i] = unit
            for stem in inflection_stems(word):
                self._stems.setdefault(stem, []).append(unit)
            self._lemmas.setdefault(word, []).append(unit)
            self._prefixes.add(word[:2])
        if len(words) > 1:
            self._first.setdefault(words[0], []).append(i)
        return Entry(original, label, kind, words, seps, None)

    def forms(self, token: str) -> dict[int, tuple[int, int]]:
        """Units ``token`` is a form of, with where its ending starts and where a compound's
        second part starts (``len(token)`` when it is no compound)."""
        cached = self._forms.get(token)
        if cached is not None:
            return cached
        low = token.lower()
        if len(low) != len(token):  # a rare letter whose lower case is longer
            low = token
        found: dict[int, tuple[int, int]] = {}
        for cut in range(len(low), 0, -1):
            ids = self._stems.get(low[:cut])
            if ids and ENDING.fullmatch(low[cut:]):
                for u in ids:
                    found.setdefault(u, (cut, len(low)))
        # Inflection changes the end of a name, never its first two letters: skip the rest.
        if self._analyser is not None and low[:2] in self._prefixes:
            for lemma in self._analyser.lemmas(token):
                for u in self._lemmas.get(lemma.lower(), ()):
                    found.setdefault(u, (len(low) - _ending_length(low), len(low)))
        if low[:2] in self._prefixes:
            self._compounds(low, found)
            found = self._vetoed(token, found)
        self._forms[token] = found
        return found

    def _vetoed(self, token: str, found: dict[int, tuple[int, int]]
                ) -> dict[int, tuple[int, int]]:
        """Without a word the analyser knows as some other word: a first name like Anne is
        the start of *annetaan* (antaa) by the suffix rule alone."""
        known = getattr(self._analyser, "is_known", None)
        if not found or self._analyser is None or not callable(known) or not known(token):
            return found
        lemmas = [lemma.lower() for lemma in self._analyser.lemmas(token)]
        return {u: at for u, at in found.items()
                if not self.units[u].person
                or any(lemma.startswith(stem) for lemma in lemmas for stem in self.units[u].stems)}

    def _compounds(self, low: str, found: dict[int, tuple[int, int]]) -> None:
        """A name as the first part of a compound: Virtasentiimi, Matinkadulla."""
        known = getattr(self._analyser, "is_known", None)
        parts = getattr(self._analyser, "compound_parts", None)
        # A word the analyser knows as one word is no compound (Kemi: kemikaali).
        if callable(known) and callable(parts) and known(low) and len(parts(low)) < 2:
            return
        for cut in range(len(low) - _MIN_COMPOUND_TAIL, 2, -1):
            ids = [u for u in self._stems.get(low[:cut], ()) if u in self._alone]
            if not ids:
                continue
            # A genitive joint first (Virtasen|tiimi), then none (Virtas|...: rarely a word).
            for joint in (cut + 1, cut + 2, cut):
                if joint != cut and low[cut:joint] not in ("n", "in", "en"):
                    continue
                if len(low) - joint >= _MIN_COMPOUND_TAIL and self._compound_tail(
                        low[joint:], long_name=joint >= _MIN_NAME_WITH_JOINT):
                    for u in ids:
                        found.setdefault(u, (cut, joint))
                    break

    def _compound_tail(self, tail: str, *, long_name: bool) -> bool:
        known = getattr(self._analyser, "is_known", None)
        if callable(known):
            return bool(known(tail)) and not ENDING.fullmatch(tail)
        # Without an analyser any rest could be a word: only longer names, only longer rests.
        return long_name and len(tail) > _MIN_COMPOUND_TAIL and any(c in VOWELS for c in tail)

    def find(self, text: str, *, uncertain: bool = False) -> list[Hit]:
        """Every occurrence, leftmost-longest, none overlapping, in text order.

        A part of a person's name that is also an ordinary word (Kivi, Laine) counts only when
        capitalised; capitalised at the start of a sentence it cannot be told from the word,
        and such hits (``uncertain``) are left out unless ``uncertain=True``.
        """
        hits: list[Hit] = []
        for i, entry in enumerate(self.entries):
            if entry.pattern is not None:
                hits.extend(Hit(m.start(), m.end(), i, "") for m in entry.pattern.finditer(text))
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        for t, (start, end, token) in enumerate(tokens):
            for u, (cut, joint) in self.forms(token).items():
                if u not in self._alone:
                    continue
                unsure = False
                if self.units[u].common:
                    if not token[:1].isupper():
                        continue
                    unsure = _sentence_start(text, start) and not _stands_as_name(text, end)
                hits.append(Hit(start, end, self.units[u].entry, token[cut:joint], token[joint:],
                                unsure))
            for i in self._first.get(token.lower(), ()):
                hit = self._multi(text, tokens, t, i)
                if hit is not None:
                    hits.append(hit)
        hits.sort(key=lambda h: (h.start, h.start - h.end, h.uncertain, h.entry))
        chosen: list[Hit] = []
        for hit in hits:
            if not chosen or hit.start >= chosen[-1].end:
                chosen.append(hit)
        return chosen if uncertain else [h for h in chosen if not h.uncertain]

    def _multi(self, text: str, tokens: list[tuple[int, int, str]], t: int, i: int) -> Hit | None:
        entry = self.entries[i]
        k = len(entry.words)
        if t + k > len(tokens):
            return None
        cut = joint = 0
        for j in range(1, k):
            start, _, token = tokens[t + j]
            if not _separator_ok(entry.seps[j - 1], text[tokens[t + j - 1][1]:start]):
                return None
            if j < k - 1:
                if token.lower() != entry.words[j]:
                    return None
            else:
                found = self.forms(token).get(self._last[i])
                if found is None:
                    return None
                cut, joint = found
        last = tokens[t + k - 1]
        return Hit(tokens[t][0], last[1], i, last[2][cut:joint], last[2][joint:])

    def replace(self, text: str, *, keep_endings: bool) -> tuple[str, list[Edit]]:
        """``text`` with every hit replaced by its label, and the edits made."""
        pieces: list[str] = []
        edits: list[Edit] = []
        at = shift = 0
        for hit in self.find(text):
            entry = self.entries[hit.entry]
            ending = _shown_ending(hit.ending) if keep_endings else ""
            new = entry.label + (":" + ending if ending else "") + ("-" + hit.tail if hit.tail
                                                                     else "")
            pieces += [text[at:hit.start], new]
            new_start = hit.start + shift
            edits.append(Edit(hit.start, hit.end, new_start, new_start + len(new), entry.kind,
                               entry.label))
            shift += len(new) - (hit.end - hit.start)
            at = hit.end
        pieces.append(text[at:])
        return "".join(pieces), edits


def _ending_length(word: str) -> int:
    for ending in _SHOWN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return len(ending)
    return 0
