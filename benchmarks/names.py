"""Made-up people with Finnish names, and each name in ten inflected or compound forms.

Shared by ``tests/test_names.py`` and ``benchmarks/leaks.py``: 30 common Finnish surnames and
20 first names (public name lists; the people are invented), each surname in seven forms by the
textbook rules (genitive, allative, partitive, adessive and three compounds) and each first
name in three forms written out by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

SURNAMES = ("Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen "
            "Järvinen Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen "
            "Salonen Turunen Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila "
            "Savolainen Lahtinen Ahonen").split()
# First names with their genitive, allative and partitive, written out by hand.
FIRST_NAMES = {
    "Matti": ("Matin", "Matille", "Mattia"), "Juha": ("Juhan", "Juhalle", "Juhaa"),
    "Timo": ("Timon", "Timolle", "Timoa"), "Antti": ("Antin", "Antille", "Anttia"),
    "Mikko": ("Mikon", "Mikolle", "Mikkoa"), "Kari": ("Karin", "Karille", "Karia"),
    "Jari": ("Jarin", "Jarille", "Jaria"), "Pekka": ("Pekan", "Pekalle", "Pekkaa"),
    "Anne": ("Annen", "Annelle", "Annea"), "Tuula": ("Tuulan", "Tuulalle", "Tuulaa"),
    "Päivi": ("Päivin", "Päiville", "Päiviä"), "Anna": ("Annan", "Annalle", "Annaa"),
    "Leena": ("Leenan", "Leenalle", "Leenaa"), "Sari": ("Sarin", "Sarille", "Saria"),
    "Minna": ("Minnan", "Minnalle", "Minnaa"), "Marja": ("Marjan", "Marjalle", "Marjaa"),
    "Tiina": ("Tiinan", "Tiinalle", "Tiinaa"), "Riitta": ("Riitan", "Riitalle", "Riittaa"),
    "Liisa": ("Liisan", "Liisalle", "Liisaa"), "Kaisa": ("Kaisan", "Kaisalle", "Kaisaa"),
}


def surname_forms(name: str) -> list[str]:
    """Genitive, allative, partitive, adessive and three compounds, by the textbook rules."""
    a = "a" if re.search("[aou]", name) else "ä"
    if name.endswith("nen"):
        stem, partitive = name[:-3] + "se", name[:-3] + "s" + "t" + a
    elif name.endswith("e"):  # Laine: Laineen, Lainetta
        stem, partitive = name + "e", name + "tt" + a
    elif name.endswith("i"):  # Niemi: Niemen, Niemeä
        stem, partitive = name[:-1] + "e", name[:-1] + "e" + a
    else:
        stem, partitive = name, name + a
    genitive = stem + "n"
    return [genitive, stem + "lle", partitive, stem + "ll" + a, genitive + "tiimi",
            genitive + "-tiimi", genitive + "kadulla"]


PEOPLE = [(first, SURNAMES[i]) for i, first in
          enumerate(list(FIRST_NAMES) * 2) if i < len(SURNAMES)]
FORMS = {f"{first} {last}": [*surname_forms(last), *FIRST_NAMES[first]]
         for first, last in PEOPLE}
FULL_KEY = pd.DataFrame(
    [(name, f"[Henkilö {i + 1}]", "person") for i, name in enumerate(FORMS)],
    columns=["original", "label", "kind"])


def left_in(folder: Path, forms: list[str]) -> list[str]:
    """The forms still written in any text file of ``folder``, found without tymqual's
    matcher (a plain whole-word search), so a test or benchmark checks the matcher."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".txt", ".csv", ".html", ".yaml", ".md"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f for f in forms if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
    return found


__all__ = ["FIRST_NAMES", "FORMS", "FULL_KEY", "PEOPLE", "SURNAMES", "left_in", "surname_forms"]
