"""Place names in the report's free text: replaced by ``[paikka]`` unless the author allows them.

In a study of four regional managers, a quote that says *Joensuussa* names the interviewee as
surely as her name would. The disclosure review therefore reads the free text the report
shows (quotes, the author's case summaries, original and reduced expressions, the joint
display's quotes and conclusions) and replaces every place it recognises:

* the bundled list of Finnish regions, wellbeing services counties and the largest
  municipalities (``tymqual/data/places_fi.txt``), in every inflected form, by the same
  matcher as the pseudonymisation key (works without Voikko);
* with Voikko, every capitalised word the dictionary knows as a place name (``CLASS`` =
  ``paikannimi``): the small municipalities the list leaves out, villages, and
  *Itä-Suomi*-like areas. Countries and continents are kept (:data:`NOT_IDENTIFYING`):
  *Suomessa* identifies no one in Finnish material.

Descriptions that identify without a name (*the largest region*) are beyond this review; the
data protection section says so. ``disclosure_allow: {places: "reason"}`` keeps the names.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import pandas as pd

from tymqual.errors import TymqualWarning
from tymqual.formatting import Lang
from tymqual.keycandidates import places
from tymqual.keymatch import Matcher, finnish_analyser
from tymqual.reports.model import ReportParts
from tymqual.reports.strings import phrase

# The report tables whose cells are free text, and those cells' columns (None: every column
# but the case's id).
FREE_TEXT: dict[str, tuple[str, ...] | None] = {
    "quotes": ("quote",),
    "analysis_table": ("original_expression", "reduced_expression"),
    "case_summary": None,
    "joint_display": ("quotes", "conclusion"),
    "codebook_examples": ("quote",),
}
MARK = {"fi": "[paikka]", "en": "[place]"}
# Base forms (as the analyser gives them: plural names in the singular) of places too large to
# point at one interviewee in Finnish material.
NOT_IDENTIFYING = frozenset(
    "suomi ruotsi norja tanska islanti viro latvia liettua venäjä saksa ranska britannia "
    "englanti espanja italia puola hollanti alankomaat belgia itävalta sveitsi kreikka "
    "portugali unkari kiina japani intia yhdysvalta kanada amerikka eurooppa aasia afrikka "
    "australia pohjoismaa skandinavia alankomaa".split()
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


class PlaceMasker:
    """Replaces the places of a text by ``mark``, and counts what it replaced."""

    def __init__(self, mark: str) -> None:
        self.mark = mark
        self.analyser = finnish_analyser()
        key = pd.DataFrame({"original": list(places()), "label": mark, "kind": "place"})
        self.matcher = Matcher(key, self.analyser)
        self.replaced: list[str] = []

    def __call__(self, text: str) -> str:
        pieces: list[str] = []
        at = 0
        for hit in self.matcher.find(text):
            # A place is written with a capital; lower case is the ordinary word (lahdessa).
            if text[hit.start:hit.start + 1].isupper():
                self.replaced.append(text[hit.start:hit.end])
                pieces += [text[at:hit.start], self.mark + ("-" + hit.tail if hit.tail else "")]
                at = hit.end
        pieces.append(text[at:])
        return _WORD.sub(self._known_place, "".join(pieces))

    def _known_place(self, match: re.Match[str]) -> str:
        word = match.group()
        if not word[:1].isupper() or not self._is_place(word, _starts_sentence(match)):
            return word
        self.replaced.append(word)
        return self.mark

    def _is_place(self, word: str, sentence_start: bool) -> bool:
        classes = getattr(self.analyser, "word_classes", None)
        found = classes(word) if callable(classes) else frozenset()
        if "paikannimi" not in found:
            return False
        # At a sentence's start the capital proves nothing: Oman is also "own". A place
        # that is also a common noun (Lahdessa, Pihtiputaalla) is still taken for the place.
        if sentence_start and found - _NOUN_OR_NAME:
            return False
        assert self.analyser is not None  # word_classes came from it
        bases = {str(b).lower() for b in self.analyser.lemmas(word)}
        return not bases & NOT_IDENTIFYING


_NOUN_OR_NAME = frozenset({"nimisana", "paikannimi", "etunimi", "sukunimi", "nimi"})
_SENTENCE_END = frozenset(".!?:;\"'”“«»([–—-")


def _starts_sentence(match: re.Match[str]) -> bool:
    before = match.string[:match.start()].rstrip()
    return not before or before[-1] in _SENTENCE_END


def mask_places(
    key: str, frame: pd.DataFrame, lang: Lang
) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` (report table ``key``) with the places in its free text replaced, and the
    place names replaced, in order. Tables without free text come back as they are."""
    if key not in FREE_TEXT or frame.empty:
        return frame, []
    masker = PlaceMasker(MARK[lang])
    columns: Sequence[str] = FREE_TEXT[key] or [c for c in frame.columns if c != "case_id"]
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = out[column].map(lambda v: masker(v) if isinstance(v, str) else v)
    return out, masker.replaced


def review_places(report: ReportParts, key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the places of its free text replaced, unless the author allows them.

    What was replaced is counted in the data protection section (never named there: that
    would print the place) and named to the author in a :class:`TymqualWarning`."""
    if "places" in report.allowed:
        return frame
    frame, replaced = mask_places(key, frame, report.lang)
    if replaced:
        mark = MARK[report.lang]
        count = "one" if len(replaced) == 1 else "many"
        report.withheld.append(phrase(f"withheld_places_{count}", report.lang,
                                      caption=phrase(key, report.lang), n=len(replaced),
                                      mark=mark))
        names = ", ".join(dict.fromkeys(replaced))
        warnings.warn(
            f"{report.project.root}: the report's \u201c{phrase(key, 'en')}\u201d had "
            f"{len(replaced)} place name(s) "
            f"({names}), replaced with {mark}; tymqual.yaml's disclosure_allow: "
            '{places: "your reason"} keeps them.',
            TymqualWarning, stacklevel=2,
        )
    return frame
