"""Reader-facing words: table headers, captions and category names in Finnish and English.

Analyses name their columns with snake_case identifiers (``segments``, ``case_id``); a report
shows them as ``Koodattuja kohtia`` and ``Tapaus`` (or ``Coded segments`` and ``Case``).
Keeping the vocabulary here, in one dictionary, means a table and its caption never call the
same thing by two names, and a translation is fixed in one place.

The content-analysis categories follow Tuomi & Sarajärvi (alaluokka, yläluokka, pääluokka,
yhdistävä luokka) and, in English, Elo & Kyngäs (2008): subcategory, generic category, main
category. The fit of mixed-methods findings follows Fetters, Curry & Creswell (2013):
confirmation, expansion, discordance.

Several identifiers may share a label when they name the same thing (``reduced`` in the
codings ledger and ``reduced_expression`` in a table); they then share it in both languages.
"""

from __future__ import annotations

import difflib

import pandas as pd

from tymqual.errors import TymqualError
from tymqual.formatting import Lang, check_lang

__all__ = ["LABELS", "label", "relabel"]

LABELS: dict[str, tuple[str, str]] = {
    # Codebook and codes
    "code": ("Koodi", "Code"),
    "code_path": ("Koodin polku", "Code path"),
    "code_name": ("Koodin nimi", "Code name"),
    "key": ("Tunniste", "Key"),
    "parent": ("Yläkoodi", "Parent code"),
    "depth": ("Taso", "Level"),
    "level": ("Taso", "Level"),
    "codebook": ("Koodikirja", "Codebook"),
    "definition": ("Määritelmä", "Definition"),
    "use_when": ("Käytä, kun", "Use when"),
    "do_not_use_when": ("Älä käytä, kun", "Do not use when"),
    "example": ("Esimerkki", "Example"),
    "keywords": ("Avainsanat", "Keywords"),
    "color": ("Väri", "Colour"),
    # Themes and content-analysis categories
    "theme": ("Teema", "Theme"),
    "main_theme": ("Pääteema", "Main theme"),
    "subtheme": ("Alateema", "Subtheme"),
    "category": ("Luokka", "Category"),
    "subcode": ("Alaluokka", "Subcategory"),
    "upper_category": ("Yläluokka", "Generic category"),
    "main_category": ("Pääluokka", "Main category"),
    "unifying_category": ("Yhdistävä luokka", "Unifying category"),
    "original_expression": ("Alkuperäinen ilmaus", "Original expression"),
    "reduced_expression": ("Pelkistetty ilmaus", "Reduced expression"),
    "reduced": ("Pelkistetty ilmaus", "Reduced expression"),
    # Sources, cases and turns
    "source_id": ("Lähde", "Source"),
    "kind": ("Aineistotyyppi", "Source type"),
    "interview": ("Haastattelu", "Interview"),
    "survey_answer": ("Kyselyvastaus", "Survey answer"),
    "document": ("Asiakirja", "Document"),
    "case_id": ("Tapaus", "Case"),
    "attribute": ("Taustamuuttuja", "Attribute"),
    "pseudonym": ("Peitenimi", "Pseudonym"),
    "speaker": ("Puhuja", "Speaker"),
    "role": ("Rooli", "Role"),
    "interviewer": ("Haastattelija", "Interviewer"),
    "interviewee": ("Haastateltava", "Interviewee"),
    "turn": ("Puheenvuoro", "Turn"),
    "start": ("Alku", "Start"),
    "end": ("Loppu", "End"),
    "time": ("Aika", "Time"),
    "text": ("Teksti", "Text"),
    "quote": ("Lainaus", "Quote"),
    "page": ("Sivu", "Page"),
    "date": ("Päivämäärä", "Date"),
    "duration": ("Kesto", "Duration"),
    "interview_mode": ("Haastattelutapa", "Interview mode"),
    "face_to_face": ("Kasvokkain", "Face to face"),
    "video_call": ("Videoyhteys", "Video call"),
    "telephone": ("Puhelin", "Telephone"),
    "region": ("Alue", "Region"),
    "group": ("Ryhmä", "Group"),
    # Codings
    "coding_id": ("Koodauksen tunniste", "Coding ID"),
    "coder": ("Koodaaja", "Coder"),
    "status": ("Tila", "Status"),
    "accepted": ("Hyväksytty", "Accepted"),
    "suggested": ("Ehdotettu", "Suggested"),
    "rejected": ("Hylätty", "Rejected"),
    "created": ("Luotu", "Created"),
    "memo": ("Muistio", "Memo"),
    # Counts
    "count": ("Lukumäärä", "Count"),
    "n": ("n", "n"),
    "segments": ("Koodattuja kohtia", "Coded segments"),
    "cases": ("Tapauksia", "Cases"),
    "cases_n_of_N": ("Tapauksia (n/N)", "Cases (n/N)"),
    "share_of_cases": ("Osuus tapauksista", "Share of cases"),
    "words_coded": ("Koodattuja sanoja", "Coded words"),
    "sources": ("Lähteitä", "Sources"),
    "interviews": ("Haastatteluja", "Interviews"),
    "documents": ("Asiakirjoja", "Documents"),
    "words": ("Sanoja", "Words"),
    "n_words": ("Sanoja", "Words"),
    "n_chars": ("Merkkejä", "Characters"),
    "turns": ("Puheenvuoroja", "Turns"),
    "n_turns": ("Puheenvuoroja", "Turns"),
    "pages": ("Sivuja", "Pages"),
    "co_occurrence": ("Yhteisesiintyminen", "Co-occurrence"),
    "jaccard": ("Jaccardin kerroin", "Jaccard index"),
    # Surveys
    "question": ("Kysymys", "Question"),
    "statement": ("Väittämä", "Statement"),
    "response": ("Vastaus", "Response"),
    "response_option": ("Vastausvaihtoehto", "Response option"),
    "respondent_id": ("Vastaaja", "Respondent"),
    "respondents": ("Vastaajia", "Respondents"),
    "valid_n": ("Vastanneita", "Valid responses"),
    "missing": ("Puuttuvia", "Missing"),
    "share": ("Osuus", "Share"),
    "share_of_respondents": ("Osuus vastaajista", "Share of respondents"),
    "percent": ("%", "%"),
    "strongly_disagree": ("Täysin eri mieltä", "Strongly disagree"),
    "somewhat_disagree": ("Jokseenkin eri mieltä", "Somewhat disagree"),
    "neutral": ("Ei samaa eikä eri mieltä", "Neither agree nor disagree"),
    "somewhat_agree": ("Jokseenkin samaa mieltä", "Somewhat agree"),
    "strongly_agree": ("Täysin samaa mieltä", "Strongly agree"),
    "dont_know": ("En osaa sanoa", "Don't know"),
    "yes": ("Kyllä", "Yes"),
    "no": ("Ei", "No"),
    "other": ("Muu", "Other"),
    "survey_distribution": ("Kyselyn jakauma", "Survey distribution"),
    # Descriptive statistics
    "mean": ("Keskiarvo", "Mean"),
    "median": ("Mediaani", "Median"),
    "sd": ("Keskihajonta", "Standard deviation"),
    "min": ("Pienin", "Minimum"),
    "max": ("Suurin", "Maximum"),
    "range": ("Vaihteluväli", "Range"),
    "total": ("Yhteensä", "Total"),
    # Agreement between coders
    "agreement": ("Yhtäpitävyys", "Agreement"),
    "percent_agreement": ("Prosentuaalinen yhtäpitävyys", "Percent agreement"),
    "cohen_kappa": ("Cohenin kappa", "Cohen's kappa"),
    "krippendorff_alpha": ("Krippendorffin alfa", "Krippendorff's alpha"),
    "kappa_lo": ("Kappan luottamusväli, alaraja", "Kappa, lower confidence limit"),
    "kappa_hi": ("Kappan luottamusväli, yläraja", "Kappa, upper confidence limit"),
    "alpha_lo": ("Alfan luottamusväli, alaraja", "Alpha, lower confidence limit"),
    "alpha_hi": ("Alfan luottamusväli, yläraja", "Alpha, upper confidence limit"),
    "gwet_ac1": ("Gwetin AC1", "Gwet's AC1"),
    "pabak": ("PABAK", "PABAK"),
    "prevalence_index": ("Prevalenssi-indeksi", "Prevalence index"),
    "bias_index": ("Harhaindeksi", "Bias index"),
    "kappa_paradox": ("Kappan paradoksi", "Kappa paradox"),
    "precision": ("Tarkkuus", "Precision"),
    "recall": ("Saanti", "Recall"),
    "double_coded_share": ("Kaksoiskoodattu osuus", "Share double-coded"),
    "units": ("Yksiköitä", "Units"),
    # Mixed-methods integration (joint displays)
    "qualitative_finding": ("Laadullinen havainto", "Qualitative finding"),
    "quantitative_result": ("Määrällinen tulos", "Quantitative result"),
    "fit": ("Yhteensopivuus", "Fit"),
    "confirmation": ("Vahvistus", "Confirmation"),
    "expansion": ("Laajennus", "Expansion"),
    "discordance": ("Ristiriita", "Discordance"),
    "meta_inference": ("Metapäätelmä", "Meta-inference"),
    "conclusion": ("Johtopäätös", "Conclusion"),
    # Captions and report furniture
    "table": ("Taulukko", "Table"),
    "figure": ("Kuvio", "Figure"),
    "appendix": ("Liite", "Appendix"),
    "note": ("Huom.", "Note."),
    # Columns of the analysis tables
    "subcategory": ("Alaluokka", "Subcategory"),
    "cases_total": ("Tapauksia yhteensä", "Cases in all"),
    "n_of_N": ("Tapauksia (n/N)", "Cases (n/N)"),
    "code_a": ("Koodi A", "Code A"),
    "code_b": ("Koodi B", "Code B"),
    "item_id": ("Nro", "Item"),
    "items": ("Väittämät", "Statements"),
    "quote_refs": ("Lainausten tapaukset", "Cases quoted"),
    "survey_results": (
        "Kyselyn tulokset: väittämä, jakauma, n, mediaani",
        "Survey results: statement, distribution, n, median",
    ),
    "qualitative_findings": (
        "Laadulliset havainnot: alaluokat (tapauksia n/N)",
        "Qualitative findings: subcategories (cases n/N)",
    ),
    "quotes": ("Lainaukset", "Quotes"),
    "coded_path": ("Koodin polku", "Code path"),
    "coded_name": ("Alaluokka", "Subcategory"),
    "case_label": ("Tapaus", "Case"),
    "duration_min": ("Kesto (min)", "Duration (min)"),
    # Fit of a joint display row (Fetters, Curry & Creswell 2013)
    "confirms": ("Vahvistaa", "Confirms"),
    "expands": ("Laajentaa", "Expands"),
    "discordant": ("Ristiriitainen", "Discordant"),
    "silent": ("Ei vastinetta", "Silent"),
}

_LANG_INDEX = {"fi": 0, "en": 1}


def label(key: str, lang: Lang = "fi") -> str:
    """The reader's word for ``key``: ``label("segments")`` -> ``"Koodattuja kohtia"``.

    An unknown key raises :class:`TymqualError` suggesting the closest known keys.
    """
    lang = check_lang(lang, "label")
    if not isinstance(key, str):
        raise TymqualError(f"label(): argument key must be a text such as 'segments', not {key!r}.")
    if key not in LABELS:
        close = difflib.get_close_matches(key, LABELS, n=5, cutoff=0.6)
        hint = (
            f"did you mean {', '.join(map(repr, close))}?"
            if close
            else "see tymqual.labels.LABELS."
        )
        raise TymqualError(f"label(): argument key {key!r} has no label; {hint}")
    return LABELS[key][_LANG_INDEX[lang]]


def relabel(df: pd.DataFrame, lang: Lang = "fi") -> pd.DataFrame:
    """A copy of ``df`` with known snake_case column and index names replaced by labels.

    Columns without a label (case attributes, code names) are kept as they are. Raises
    :class:`TymqualError` if relabelling would give two columns the same name, for example
    ``words`` and ``n_words``, or ``theme`` beside a column already called ``Teema``.
    """
    lang = check_lang(lang, "relabel")
    if not isinstance(df, pd.DataFrame):
        raise TymqualError(
            f"relabel(): argument df must be a pandas DataFrame, not {type(df).__name__}."
        )
    column = _LANG_INDEX[lang]

    def reader(name: object) -> object:
        return LABELS[name][column] if isinstance(name, str) and name in LABELS else name

    out = df.rename(columns=reader)
    out.index = out.index.set_names([reader(name) for name in out.index.names])
    clashes = sorted(
        set(map(str, out.columns[out.columns.duplicated()]))
        - set(map(str, df.columns[df.columns.duplicated()]))
    )
    if clashes:
        raise TymqualError(
            f"relabel(): more than one column would be called {', '.join(map(repr, clashes))}; "
            "drop or rename one of them before relabelling."
        )
    return out
