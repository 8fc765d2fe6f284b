"""Every word of the report a reader sees, in Finnish and English (``_t``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tymqual.formatting import Lang

if TYPE_CHECKING:
    pass




# Reader-facing words of the report; (Finnish, English). Shared vocabulary is in labels.py.
_TEXT: dict[str, tuple[str, str]] = {
    "xlsx": ("raportti.xlsx", "report.xlsx"),
    "html": ("raportti.html", "report.html"),
    "docx": ("koodikirja.docx", "codebook.docx"),
    "figures_dir": ("kuviot", "figures"),
    "report": ("Raportti", "Report"),
    "contents": ("Sisällys", "Contents"),
    "project": ("Projekti", "Project"),
    "data_date": ("Aineiston päivämäärä", "Date of the data"),
    "data_date_note": (
        "viimeisimmän koodauksen päivämäärä",
        "the date of the most recent coding",
    ),
    "made_with": ("Tehty ohjelmalla tymqual", "Made with tymqual"),
    "number": ("Numero", "Number"),
    "caption": ("Otsikko", "Caption"),
    "sheet": ("Välilehti", "Sheet"),
    "file": ("Tiedosto", "File"),
    "not_shown": ("ei näytetä", "not shown"),
    # Table captions
    "data_description": ("Aineiston kuvaus", "Description of the data"),
    "code_frequencies": (
        "Koodatut kohdat ja tapaukset koodeittain",
        "Coded segments and cases by code",
    ),
    "by_attribute": (
        "Koodatut kohdat koodeittain, ryhmittely: {attr}",
        "Coded segments by code and {attr}",
    ),
    "code_case_matrix": ("Koodit tapauksittain", "Codes by case"),
    "agreement": (
        "Koodaajien yhtäpitävyys koodeittain (virkkeet yksikköinä)",
        "Intercoder agreement per code (sentences as units)",
    ),
    "co_occurrence": (
        "Koodien yhteisesiintyminen samassa koodatussa kohdassa",
        "Co-occurrence of codes in the same coded passage",
    ),
    "analysis_table": (
        "Sisällönanalyysin analyysitaulukko: alkuperäiset ja pelkistetyt ilmaukset luokkineen",
        "Content analysis table: original and reduced expressions with their categories",
    ),
    "likert_table": ("Kyselyn väittämien vastausjakaumat", "Responses to the survey statements"),
    "joint_display": (
        "Yhdistetty tarkastelu: teemat ja kyselyn tulokset rinnakkain",
        "Joint display: themes and survey results side by side",
    ),
    "case_summary": ("Tapauskohtainen yhteenveto", "Summary by case"),
    "quotes": ("Esimerkkilainaukset teemoittain", "Example quotes by theme"),
    # Sheet names (≤ 31 characters with the "T1 " prefix)
    "sheet_data_description": ("Aineisto", "Data"),
    "sheet_code_frequencies": ("Koodit", "Codes"),
    "sheet_by_attribute": ("Koodit, {attr}", "Codes by {attr}"),
    "sheet_code_case_matrix": ("Koodit tapauksittain", "Codes by case"),
    "sheet_agreement": ("Yhtäpitävyys", "Agreement"),
    "sheet_co_occurrence": ("Yhteisesiintyminen", "Co-occurrence"),
    "sheet_analysis_table": ("Analyysitaulukko", "Analysis table"),
    "sheet_likert_table": ("Kysely", "Survey"),
    "sheet_joint_display": ("Yhdistetty tarkastelu", "Joint display"),
    "sheet_case_summary": ("Tapausyhteenveto", "Case summary"),
    "sheet_quotes": ("Lainaukset", "Quotes"),
    # Figure captions and file stems
    "fig_theme_frequency": (
        "Koodatut kohdat teemoittain ja tapauksittain",
        "Coded segments by theme and case",
    ),
    "fig_code_case_heatmap": (
        "Koodatut kohdat koodeittain ja tapauksittain (lämpökartta)",
        "Coded segments by code and case (heat map)",
    ),
    "fig_cooccurrence_heatmap": (
        "Koodien yhteisesiintyminen samassa koodatussa kohdassa",
        "Co-occurrence of codes in the same coded passage",
    ),
    "fig_likert_bars": (
        "Kyselyn väittämien vastausjakaumat (lukumäärät)",
        "Responses to the survey statements (counts)",
    ),
    "fig_code_tree": ("Koodikirjan rakenne", "Structure of the codebook"),
    "fig_theme_totals": ("Koodatut kohdat teemoittain", "Coded segments by theme"),
    "stem_theme_frequency": ("teemat_tapauksittain", "themes_by_case"),
    "stem_code_case_heatmap": ("koodit_tapauksittain", "codes_by_case"),
    "stem_cooccurrence_heatmap": ("yhteisesiintyminen", "co_occurrence"),
    "stem_likert_bars": ("kysely", "survey"),
    "stem_code_tree": ("koodipuu", "code_tree"),
    "stem_theme_totals": ("teemat", "themes"),
    "figure_stem": ("kuvio", "figure"),
    # Notes
    "note_empty": ("Taulukossa ei ole rivejä.", "The table has no rows."),
    "note_pages": (
        "Sivumäärä on laskettu taitolle 12 pt, riviväli 1, noin {wpp} sanaa sivulla.",
        "Pages are computed for a layout of 12 pt, single spacing, about {wpp} words per page.",
    ),
    "note_agreement": (
        "Koodaajat {a} ja {b}. Yksikkö on virke puheenvuoron sisällä; kumpikin koodaaja joko "
        "koodasi virkkeen koodilla tai ei. Cohenin kappa ja Krippendorffin alfa (nominaali) "
        "lasketaan koodin esiintymisestä virkkeissä; ”(total)” yhdistää kaikki koodit.",
        "Coders {a} and {b}. The unit is a sentence within a turn; each coder either coded "
        "it with the code or not. Cohen's kappa and Krippendorff's alpha (nominal) are "
        'computed on the code\'s presence per sentence; "(total)" pools all codes.',
    ),
    "note_coders_chosen": (
        "Luvuissa ovat mukana koodaajien {coders} koodaukset (tymqual.yaml: analysis_coders).",
        "The counts include the codings of {coders} (tymqual.yaml: analysis_coders).",
    ),
    "note_coders_all": (
        "Luvuissa ovat mukana kaikkien koodaajien ({coders}) koodaukset, joten eri koodaajien "
        "samat havainnot voivat näkyä kahdesti; valitse analysoitavat koodaajat "
        "tymqual.yaml-tiedoston asetuksella analysis_coders (esim. [consensus]).",
        "The counts include every coder's codings ({coders}), so one finding coded by two "
        "coders may count twice; choose the coders to analyse with analysis_coders in "
        "tymqual.yaml (e.g. [consensus]).",
    ),
    "note_rollup": (
        "Yläkoodin luvuissa ovat mukana sen alakoodeilla koodatut kohdat. "
        "Tapauksia n/N: tapauksia, joiden aineistossa koodi esiintyy, kaikista tapauksista.",
        "A parent code's counts include the passages coded with its subcodes. "
        "Cases n/N: cases whose material has the code, of all cases.",
    ),
    "note_orphaned": (
        "Huom. {n} hyväksyttyä koodausta on tallennettu avaimilla, joita koodikirjassa "
        "(codes/codebook.yaml) ei ole: {keys}. Ne näkyvät taulukoissa omina riveinään "
        "merkinnällä ”{marker}” eivätkä sisälly yhteenkään teemaan. Palauta avain "
        "koodikirjaan tai merkitse uuden avaimen koodiin renamed_from: [vanha_avain].",
        "Note: {n} accepted codings are stored under keys that the codebook "
        "(codes/codebook.yaml) does not have: {keys}. The tables show them in rows of their "
        "own marked “{marker}”, outside every theme. Restore the key in the codebook, "
        "or add renamed_from: [old_key] to the code that has the new key.",
    ),
    "note_refused": (
        "Taulukkoa ei näytetä: ryhmässä alle {min} tapausta (ryhmittely: {attr}). Näin "
        "pienen ryhmän luvuista voisi tunnistaa yksittäisen haastateltavan. Pienin "
        "näytettävä ryhmä on tymqual.yaml-tiedoston min_cell_size = {min}; sisäiseen "
        "käyttöön taulukon saa näkyviin valinnalla allow_small_cells=True.",
        "The table is not shown: a group has fewer than {min} cases (grouped by {attr}), "
        "and figures for so small a group could identify an interviewee. The smallest group "
        "shown is tymqual.yaml's min_cell_size = {min}; for internal work, "
        "allow_small_cells=True shows the table.",
    ),
    "note_small_allowed": (
        "Pienet ryhmät (alle {min} tapausta) näytetään valinnalla allow_small_cells=True: "
        "vain sisäiseen käyttöön, ei julkaistavaksi.",
        "Small groups (fewer than {min} cases) are shown with allow_small_cells=True: for "
        "internal work only, not for publication.",
    ),
    "note_no_survey": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa ei ole kyselyaineistoa.",
        "The survey tables and figures are missing: the project has no survey.",
    ),
    "note_many_surveys": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa on {n} kyselyä ({names}); valitse "
        'raporttiin yksi valinnalla survey="nimi".',
        "The survey tables and figures are missing: the project has {n} surveys ({names}); "
        'choose one for the report with survey="name".',
    ),
    "note_survey_failed": (
        "Kyselyn taulukot ja kuviot puuttuvat: kyselyä ei voitu lukea ({error})",
        "The survey tables and figures are missing: the survey could not be read ({error})",
    ),
    "note_many_cases": (
        "Aineistossa on {n} tapausta. Tapauskohtaiset kuviot piirretään enintään {limit} "
        "tapauksesta, koska niin monen tapauksen palkit ja lämpökartta eivät olisi luettavissa: "
        "teemat näytetään kuviossa yhteensä, ja koodien jakauma tapauksittain on taulukossa "
        "koodit × tapaukset.",
        "The data has {n} cases. Figures by case are drawn for at most {limit} cases, as bars "
        "and a heat map of more cases could not be read: the themes are shown in total, and "
        "the codes by case are in the code × case table.",
    ),
    "note_survey_skipped": (
        "Kyselyn taulukot ja kuviot jätettiin pois (survey=None).",
        "The survey tables and figures were left out (survey=None).",
    ),
    # HTML sections
    "toc": ("Sisältö", "Contents"),
    "sec_data": ("Aineiston kuvaus", "Description of the data"),
    "sec_results": ("Tulokset", "Results"),
    "sec_survey": ("Kysely", "Survey"),
    "sec_integration": (
        "Laadullisen ja määrällisen aineiston yhdistäminen",
        "Integrating the qualitative and quantitative data",
    ),
    "sec_quotes": ("Lainaukset teemoittain", "Quotes by theme"),
    "sec_codebook": ("Koodikirja", "Codebook"),
    "sec_methods": ("Menetelmät", "Methods"),
    "quotes_in_workbook": (
        "Lainaukset ovat myös työkirjan taulukossa {n}.",
        "The quotes are also in Table {n} of the workbook.",
    ),
    "no_quotes": ("Lainauksia ei ole vielä koodattu.", "No passages have been coded yet."),
    "data_summary": (
        "Aineistossa on {sources} lähdettä ({kinds}), yhteensä {words} sanaa ja {turns} "
        "puheenvuoroa, ja {cases} tapausta. Koodikirjassa on {codes} koodia, ja hyväksyttyjä "
        "koodauksia on {codings}.",
        "The data has {sources} sources ({kinds}), {words} words and {turns} turns in all, "
        "and {cases} cases. The codebook has {codes} codes, and {codings} codings are "
        "accepted.",
    ),
    "version": ("versio", "version"),
    "counts": ("Esiintymät", "Occurrences"),
    "counts_text": (
        "{segments} koodattua kohtaa; tapauksia {cases}",
        "{segments} coded segments; cases {cases}",
    ),
    "path": ("Polku", "Path"),
    "codebook_intro": (
        "Koodikirjan luvut: koodattujen kohtien määrä ja tapaukset, joiden aineistossa koodi "
        "esiintyy (n/N). Yläkoodin luvuissa ovat mukana sen alakoodit.",
        "Counts: the number of coded segments and the cases whose material has the code "
        "(n/N). A parent code's counts include its subcodes.",
    ),
    "appendix_title": ("Liite. Koodikirja", "Appendix. Codebook"),
    "methods": (
        "Taulukot ja kuviot on laskettu koodausten kirjanpidosta (codes/codings.csv); mukana "
        "ovat vain hyväksytyt koodaukset. Koodattu kohta on yksi koodattu tekstijakso, ja "
        "tapaus on cases.csv-tiedoston rivi, tavallisesti yksi haastateltava. Yläkoodin "
        "luvuissa ovat mukana sen alakoodeilla koodatut kohdat.|"
        "Kohtien sijainnit (alku ja loppu) ovat 0-alkuisia Unicode-merkkipaikkoja "
        "normalisoidussa tekstissä (NFC, rivinvaihto \\n); loppu ei kuulu kohtaan, joten "
        "teksti[alku:loppu] on koodattu kohta.|"
        "Taustamuuttujan mukaan eritellyt taulukot näytetään vain, kun jokaisessa ryhmässä "
        "on vähintään {min} tapausta (tymqual.yaml: min_cell_size). Pienemmän ryhmän luvuista "
        "voisi tunnistaa yksittäisen haastateltavan.|"
        "Aineiston päivämäärä on viimeisimmän koodauksen päivämäärä. Sivumäärät ovat arvioita "
        "({wpp} sanaa sivulla). Raportin laati tymqual {version}; sama projekti tuottaa aina "
        "samat tiedostot.",
        "The tables and figures are computed from the codings ledger (codes/codings.csv); only "
        "accepted codings count. A coded segment is one coded stretch of text, and a case is "
        "a row of cases.csv, usually one interviewee. A parent code's counts include the "
        "passages coded with its subcodes.|"
        "Passage positions (start and end) are 0-based Unicode code-point offsets into the "
        "normalised text (NFC, \\n line ends); the end is exclusive, so text[start:end] is "
        "the coded passage.|"
        "Tables broken down by a case attribute are shown only when every group has at least "
        "{min} cases (tymqual.yaml: min_cell_size); figures for a smaller group could "
        "identify an interviewee.|"
        "The date of the data is the date of the most recent coding. Page counts are "
        "estimates ({wpp} words per page). Made with tymqual {version}; the same project "
        "always gives the same files.",
    ),
}
_KIND_WORDS: dict[str, tuple[str, str]] = {
    "interview": ("haastattelua", "interviews"),
    "document": ("asiakirjaa", "documents"),
    "survey_answer": ("kyselyvastausta", "survey answers"),
}


def _t(key: str, lang: Lang, **values: object) -> str:
    text = _TEXT[key][0 if lang == "fi" else 1]
    return text.format(**values) if values else text
