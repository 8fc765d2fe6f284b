"""Every word of the report a reader sees, in Finnish and English (``phrase``)."""

from __future__ import annotations

from tymqual.formatting import Lang

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
    "agreement_machine": (
        "Konekoodaajan ja koodaajan yhtäpitävyys koodeittain (virkkeet yksikköinä)",
        "Agreement of the machine coder with a coder per code (sentences as units)",
    ),
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
    "sheet_agreement_machine": ("Kone ja koodaaja", "Machine and coder"),
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
    "fig_saturation_curve": (
        "Saturaatio: uudet koodit haastatteluittain siinä järjestyksessä kuin haastattelut "
        "koodattiin (pylväät) ja koodien kertymä (viiva)",
        "Saturation: new codes per interview in the order the interviews were coded (bars) "
        "and the running total of codes (line)",
    ),
    "stem_saturation_curve": ("saturaatio", "saturation"),
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
        "Yksikkö on virke puheenvuoron sisällä; kumpikin koodaaja joko koodasi virkkeen "
        "koodilla tai ei. Cohenin kappa ja Krippendorffin alfa (nominaali) lasketaan koodin "
        "esiintymisestä virkkeissä; ”(total)” yhdistää kaikki koodit.",
        "The unit is a sentence within a turn; each coder either coded it with the code or "
        "not. Cohen's kappa and Krippendorff's alpha (nominal) are computed on the code's "
        'presence per sentence; "(total)" pools all codes.',
    ),
    "note_rigour": (
        "Gwetin AC1 ja PABAK (prevalenssi- ja harhakorjattu kappa) riippuvat koodin "
        "yleisyydestä vähemmän kuin kappa. Prevalenssi-indeksi kertoo, kuinka paljon "
        "yleisempää koodin käyttö tai käyttämättä jättäminen on, ja harhaindeksi, kuinka "
        "eri tavoin koodaajat koodia käyttävät. Kun havaittu yhtäpitävyys on suuri mutta "
        "kappa pieni (kappan paradoksi), rivin huomautus kehottaa lukemaan PABAKin ja AC1:n. "
        "Krippendorff suosittaa alfalle vähintään 0,800 ja alustaviin päätelmiin 0,667.",
        "Gwet's AC1 and PABAK (prevalence- and bias-adjusted kappa) depend less than kappa on "
        "how common the code is. The prevalence index says how much more common using the "
        "code (or not using it) is, the bias index how differently the coders use it. Where "
        "observed agreement is high but kappa low (the kappa paradox), the row's note says to "
        "read PABAK and AC1. Krippendorff recommends alpha of at least 0.800, and 0.667 for "
        "tentative conclusions.",
    ),
    "note_machine": (
        "Konekoodaajan ehdotuksia ({machine}) verrataan koodaajan {a} koodauksiin kuten "
        "kahden ihmisen koodauksia; kaikki ehdotukset lasketaan, hyväksytyt ja hylätyt. "
        "Tarkkuus on se osuus koneen koodaamista virkkeistä, jotka {a} koodasi samalla "
        "koodilla, ja saanti se osuus koodaajan {a} koodaamista virkkeistä, jotka kone "
        "ehdotti.",
        "The machine coder's suggestions ({machine}) are compared with {a}'s codings as two "
        "people's codings are; every suggestion counts, accepted or rejected. Precision is "
        "the share of the sentences the machine coded that {a} coded with the same code, "
        "recall the share of {a}'s coded sentences that the machine suggested.",
    ),
    "machine_autocode": ("automaattinen avainsanakoodaus", "keyword autocoding"),
    "machine_suggester": ("koodiehdottaja", "code suggester"),
    "machine_model": ("malli", "model"),
    "note_coders_chosen": (
        "Luvuissa ovat mukana koodaajien {coders} koodaukset.",
        "The counts include the codings of {coders}.",
    ),
    "note_coders_all": (
        "Luvuissa ovat mukana kaikkien koodaajien ({coders}) koodaukset, joten kahden "
        "koodaajan sama havainto voi näkyä kahdesti.",
        "The counts include every coder's codings ({coders}), so one finding coded by two "
        "coders may count twice.",
    ),
    "note_rollup": (
        "Yläkoodin luvuissa ovat mukana sen alakoodeilla koodatut kohdat. "
        "Tapauksia n/N: tapauksia, joiden aineistossa koodi esiintyy, kaikista tapauksista.",
        "A parent code's counts include the passages coded with its subcodes. "
        "Cases n/N: cases whose material has the code, of all cases.",
    ),
    "note_orphaned": (
        "Huom. {n} hyväksyttyä koodausta on tehty koodeilla, joita koodikirjassa ei enää ole: "
        "{keys}. Ne näkyvät taulukoissa omina riveinään merkinnällä ”{marker}” eivätkä "
        "sisälly yhteenkään teemaan.",
        "Note: {n} accepted codings were made with codes the codebook no longer has: {keys}. "
        "The tables show them in rows of their own marked “{marker}”, outside every theme.",
    ),
    "note_refused": (
        "Taulukkoa ei näytetä: ryhmässä alle {min} tapausta (ryhmittely: {attr}). Näin "
        "pienen ryhmän luvuista voisi tunnistaa yksittäisen haastateltavan.",
        "The table is not shown: a group has fewer than {min} cases (grouped by {attr}), "
        "and figures for so small a group could identify an interviewee.",
    ),
    "note_small_allowed": (
        "Taulukossa on ryhmiä, joissa on alle {min} tapausta. Se on tarkoitettu vain "
        "sisäiseen käyttöön, ei julkaistavaksi.",
        "The table has groups of fewer than {min} cases. It is for internal work only, not "
        "for publication.",
    ),
    "note_no_survey": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa ei ole kyselyaineistoa.",
        "The survey tables and figures are missing: the project has no survey.",
    ),
    "note_many_surveys": (
        "Kyselyn taulukot ja kuviot puuttuvat: projektissa on {n} kyselyä ({names}), ja "
        "raporttiin valitaan yksi.",
        "The survey tables and figures are missing: the project has {n} surveys ({names}), "
        "and the report takes one.",
    ),
    "note_survey_failed": (
        "Kyselyn taulukot ja kuviot puuttuvat: kyselyaineistoa ({name}) ei voitu lukea.",
        "The survey tables and figures are missing: the survey ({name}) could not be read.",
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
        "Kyselyn taulukot ja kuviot on jätetty tästä raportista pois.",
        "The survey tables and figures were left out of this report.",
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
    "sec_privacy": ("Tietosuoja", "Data protection"),
    "sec_technical": ("Tekninen liite", "Technical appendix"),
    "privacy_intro": (
        "Raportti on tarkistettu niin, ettei yksittäistä haastateltavaa voi tunnistaa "
        "taulukoista tai kuvioista. Seuraavat tiedot on jätetty pois:",
        "The report has been checked so that no single interviewee can be recognised from "
        "its tables or figures. The following is left out:",
    ),
    "privacy_none": (
        "Mitään tietoja ei tarvinnut jättää pois.",
        "Nothing needed to be left out.",
    ),
    "privacy_allowed_intro": (
        "Tekijä on päättänyt näyttää seuraavat tiedot perusteluineen:",
        "The author has chosen to show the following, with the reasons:",
    ),
    "privacy_internal": (
        "Raportti on tehty sisäiseen käyttöön: pienet ryhmät näytetään, eikä sitä ole "
        "tarkoitettu julkaistavaksi.",
        "The report is made for internal work: small groups are shown, and it is not meant "
        "for publication.",
    ),
    "privacy_free_text": (
        "Tapauskohtaiset tiivistelmät, lainaukset ja pelkistetyt ilmaukset ovat tekijän "
        "valitsemia ja kirjoittamia. Niistä on etsitty paikannimet; muut tunnistavat "
        "kuvaukset, kuten asemat tai alueen koko, on tarkistettava ennen julkaisua.",
        "The case summaries, quotes and reduced expressions are chosen and written by the "
        "author. They were searched for place names; other identifying descriptions, such "
        "as positions or the size of a region, must be checked before publication.",
    ),
    "withheld_small_cells": (
        "{caption}: ryhmässä on alle {min} tapausta.",
        "{caption}: a group has fewer than {min} cases.",
    ),
    "withheld_linked_answers": (
        "Kunkin haastateltavan omat kyselyvastaukset tapauskohtaisesta yhteenvedosta, "
        "lainauksista ja analyysitaulukon tapaussarakkeesta: ne yhdistäisivät hänen "
        "kyselyvastauksensa hänen haastatteluunsa. Kyselyn tulokset näytetään vain "
        "jakaumina.",
        "Each interviewee's own survey answers in the summary by case, in the quotes and in "
        "the case column of the analysis table: they would link her survey answers to her "
        "interview. The survey results are shown as distributions only.",
    ),
    "withheld_interview_details": (
        "Kunkin haastattelun päivämäärä, kesto ja haastattelutapa: niistä voisi tunnistaa "
        "haastateltavan. Aineiston kuvauksen alla on niiden yhteenveto.",
        "Each interview's date, length and mode: they could identify the interviewee. A "
        "summary of them follows the description of the data.",
    ),
    "privacy_free_text_unreviewed": (
        "Tapauskohtaiset tiivistelmät, lainaukset ja pelkistetyt ilmaukset ovat tekijän "
        "valitsemia ja kirjoittamia; niissä mainitut paikat ja asemat on tarkistettava "
        "ennen julkaisua.",
        "The case summaries, quotes and reduced expressions are chosen and written by the "
        "author; the places and positions they mention must be checked before publication.",
    ),
    "codebook_examples": ("Koodikirjan esimerkit", "The codebook's examples"),
    "withheld_places_one": (
        "{caption}: yksi paikannimi korvattiin merkinnällä {mark}, koska paikka voi tunnistaa "
        "haastateltavan.",
        "{caption}: one place name was replaced with {mark}, as a place can identify the "
        "interviewee.",
    ),
    "withheld_places_many": (
        "{caption}: {n} paikannimeä korvattiin merkinnällä {mark}, koska paikka voi tunnistaa "
        "haastateltavan.",
        "{caption}: {n} place names were replaced with {mark}, as a place can identify the "
        "interviewee.",
    ),
    "allowed_places": (
        "Paikannimet lainauksissa, tiivistelmissä ja pelkistetyissä ilmauksissa",
        "Place names in the quotes, summaries and reduced expressions",
    ),
    "allowed_small_cells": ("Pienet ryhmät", "Small groups"),
    "allowed_linked_answers": (
        "Haastateltavien omat kyselyvastaukset tapauskohtaisessa yhteenvedossa",
        "Each interviewee's own survey answers in the summary by case",
    ),
    "allowed_interview_details": (
        "Haastattelujen päivämäärät, kestot ja haastattelutavat",
        "Each interview's date, length and mode",
    ),
    "methods_allowed": (
        " Tekijä on päättänyt näyttää seuraavat tiedot: {items}.",
        " The author has chosen to show the following: {items}.",
    ),
    "interview_summary": (
        "Haastattelut tehtiin {period}. Niiden kesto oli yhteensä {total} min (mediaani "
        "{median} min).",
        "The interviews were held {period}. They lasted {total} min in all (median {median} min).",
    ),
    "interview_modes": ("Haastattelutavat: {modes}.", "Interview modes: {modes}."),
    "interview_modes_withheld": (
        "Haastattelutapoja ei eritellä, koska jokin tapa koskee alle {min} haastattelua.",
        "The interview modes are not broken down, as some mode applies to fewer than {min} "
        "interviews.",
    ),
    "period_in": ("{when}", "in {when}"),
    "joint_legend": (
        "Kyselyn tulokset: lukumäärät vastausasteikon järjestyksessä ({legend}); n = "
        "vastanneita; Md = mediaani.",
        "Survey results: counts in the order of the scale ({legend}); n = respondents; "
        "Md = median.",
    ),
    "joint_fit": (
        "Yhteensopivuus (Fetters, Curry & Creswell 2013): vahvistaa = kysely ja haastattelut "
        "kertovat saman; laajentaa = haastattelut selittävät tai täydentävät kyselyn tulosta; "
        "ristiriitainen = tulokset ovat keskenään ristiriidassa; ei vastinetta = toisessa "
        "aineistossa ei ole vastinetta.",
        "Fit (Fetters, Curry & Creswell 2013): confirms = the survey and the interviews say "
        "the same; expands = the interviews explain or add to the survey result; discordant "
        "= the results contradict each other; silent = the other data has no counterpart.",
    ),
    "joint_quotes_capped": (
        "Lainauksissa on yksi lainaus kustakin tapauksesta, jonka aineistossa teema esiintyy, "
        "enintään {n} ensimmäisestä; kaikkien tapausten lainaukset ovat kohdassa Lainaukset "
        "teemoittain.",
        "The quotes are one from each case whose material has the theme, from the first {n} "
        "at most; every case's quotes are under Quotes by theme.",
    ),
    "joint_meta": (
        "Metapäätelmä on tekijän kirjoittama tulkinta siitä, mitä tulokset yhdessä "
        "tarkoittavat; tyhjä solu odottaa tekijän tekstiä.",
        "The meta-inference is the author's interpretation of what the results mean "
        "together; an empty cell awaits the author's text.",
    ),
    "joint_quotes": (
        "Lainauksissa on yksi lainaus kustakin tapauksesta, jonka aineistossa teema esiintyy.",
        "The quotes are one from each case whose material has the theme.",
    ),
    "quote_missing": (
        "{theme}: tapauksesta {cases} ei ole lainausta, koska sen kohdat ovat vain kyselyn "
        "avovastauksissa, joita ei liitetä haastateltavaan.",
        "{theme}: case {cases} has no quote, as its passages are all in open survey answers, "
        "which are not tied to the interviewee.",
    ),
    "note_survey_rows": (
        "Kyselyn avovastauksista koodatut ilmaukset on merkitty kyselyvastauksiksi ilman "
        "tapausta, jotta vastausta ei voi yhdistää haastateltavaan.",
        "Expressions coded in open survey answers are marked as survey answers without the "
        "case, so that an answer cannot be tied to an interviewee.",
    ),
    "technical": (
        "Jokainen koodattu kohta on tallennettu lähteen tunnisteena sekä alku- ja "
        "loppukohtana, jotka lasketaan merkkeinä tekstin alusta: ensimmäinen merkki on kohta "
        "0, ja loppukohta on ensimmäinen merkki kohdan jälkeen. Ennen laskemista teksti "
        "yhtenäistetään (rivinvaihdot ja kirjainten yhdistelmät samaan muotoon), joten sama "
        "kohta löytyy aina samasta paikasta. Jos litteraattia muokataan koodauksen jälkeen, "
        "kohta etsitään uudelleen; kohdat, joita ei löydy yksiselitteisesti, jätetään pois "
        "taulukoista ja luetellaan.|"
        "Koodikirja: {codebook}.{history}|"
        "Raportin teki tymqual {version} (Python {python}). Sama aineisto tuottaa aina samat "
        "tiedostot; niihin ei tallennu tekoaikaa.",
        "Each coded passage is stored as the source's identifier with a start and an end "
        "position, counted in characters from the beginning of the text: the first character "
        "is position 0, and the end is the first character after the passage. The text is "
        "first brought to one form (line breaks and letter combinations), so the same "
        "passage is always found at the same place. When a transcript is edited after "
        "coding, the passage is looked up again; passages not found unambiguously are left "
        "out of the tables and listed.|"
        "Codebook: {codebook}.{history}|"
        "The report was made with tymqual {version} (Python {python}). The same data always "
        "gives the same files; they record no time of making.",
    ),
    "technical_history": (
        " Koodausten muutoshistoriassa on {n} muutosta {first}–{last}.",
        " The history of the codings has {n} changes from {first} to {last}.",
    ),
    "quotes_in_workbook": (
        "Lainaukset ovat myös työkirjan taulukossa {n}.",
        "The quotes are also in Table {n} of the workbook.",
    ),
    "no_quotes": ("Lainauksia ei ole vielä koodattu.", "No passages have been coded yet."),
    "data_summary": (
        "Aineistossa on {cases} tapausta ja {sources} lähdettä ({kinds}). Haastatteluissa on "
        "yhteensä {interview_words} sanaa (taulukko {table}){other_words}. Koodikirjassa on "
        "{codes} koodia. Hyväksyttyjä koodauksia on {codings}, "
        "ja ne kattavat {passages} koodattua kohtaa (sama kohta voi kuulua useaan koodiin).",
        "The data has {cases} cases and {sources} sources ({kinds}). The interviews have "
        "{interview_words} words in all (Table {table}){other_words}. The codebook has {codes} "
        "codes. There are {codings} accepted codings, covering "
        "{passages} coded passages (one passage may have several codes).",
    ),
    "other_words": (
        "; lisäksi {where} on {words} sanaa",
        "; {where} add {words} words",
    ),
    "words_survey_answer": ("kyselyn avovastauksissa", "the open survey answers"),
    "words_document": ("asiakirjoissa", "the documents"),
    "and": ("ja", "and"),
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
    "appendix_table": (
        "Liitetaulukko. Koodit, koodatut kohdat ja tapaukset (n/N)",
        "Appendix table. Codes, coded passages and cases (n/N)",
    ),
    "methods": (
        "Taulukot ja kuviot on laskettu hyväksytyistä koodauksista. Koodaus liittää yhden "
        "koodin yhteen tekstikohtaan. Koodattu kohta on yksi koodattu tekstijakso, ja se "
        "lasketaan kerran, vaikka sillä olisi useampi saman teeman koodi. Tapaus on yksi "
        "haastateltava, ja hänen kyselyvastauksensa kuuluvat samaan tapaukseen. Yläkoodin "
        "luvuissa ovat mukana sen alakoodeilla koodatut kohdat. Sanamäärä on haastattelujen "
        "sanojen määrä; kyselyn avovastausten sanat mainitaan erikseen.|"
        "Lainaukset on valittu teemoittain samalla säännöllä kaikille teemoille: jokaisesta "
        "tapauksesta, jonka aineistossa teema esiintyy, on vähintään yksi ja enintään "
        "{per_case} lainausta. Tapauksia kierretään vuorotellen, ja saman tapauksen "
        "lainaukset otetaan eri alaluokista ennen kuin samasta alaluokasta otetaan toinen; "
        "alaluokan sisällä lainaus on tekstissä ensimmäinen. Valinta ei siis perustu "
        "lainauksen sisältöön, ja sama aineisto tuottaa aina samat lainaukset.|"
        "Yhdistetty tarkastelu (joint display) noudattaa Guettermanin, Fettersin ja Creswellin "
        "(2015) mallia: kunkin teeman rivillä ovat kyselyn väittämät vastausjakaumineen, "
        "teeman laadulliset havainnot lainauksineen, tulosten yhteensopivuus ja tekijän "
        "metapäätelmä. Yhteensopivuuden luokat ovat Fettersin, Curryn ja Creswellin (2013).|"
        "Taustamuuttujan mukaan eritellyt taulukot näytetään vain, kun jokaisessa ryhmässä "
        "on vähintään {min} tapausta, koska pienemmän ryhmän luvuista voisi tunnistaa "
        "yksittäisen haastateltavan. Raportista jätetyt tiedot luetellaan kohdassa "
        "Tietosuoja.{allowed}|"
        "Aineiston päivämäärä on viimeisimmän koodauksen päivämäärä. Sivumäärät ovat arvioita "
        "({wpp} sanaa sivulla). Tekninen liite kertoo, miten kohtien sijainnit on tallennettu "
        "ja millä ohjelmaversiolla raportti on tehty.",
        "The tables and figures are computed from the accepted codings. A coding attaches one "
        "code to one passage of text. A coded passage is one coded stretch of text, counted "
        "once even when it has more than one code of the same theme. A case is one "
        "interviewee, and her survey answers belong to the same case. A parent code's counts "
        "include the passages coded with its subcodes. The word count is the words of the "
        "interviews; the words of open survey answers are stated separately.|"
        "Quotes are chosen by theme with one rule for every theme: each case whose material "
        "has the theme gets at least one quote and at most {per_case}. The cases take turns, "
        "and a case's quotes come from different subcategories before a second one from the "
        "same subcategory; within a subcategory the quote is the first in the text. The "
        "choice therefore does not depend on what a quote says, and the same data always "
        "gives the same quotes.|"
        "The joint display follows Guetterman, Fetters and Creswell (2015): each theme's row "
        "has the survey statements with their distributions, the theme's qualitative "
        "findings with quotes, the fit of the results and the author's meta-inference. The "
        "fit categories are those of Fetters, Curry and Creswell (2013).|"
        "Tables broken down by a case attribute are shown only when every group has at least "
        "{min} cases, as figures for a smaller group could identify an interviewee. What the "
        "report leaves out is listed under Data protection.{allowed}|"
        "The date of the data is the date of the most recent coding. Page counts are "
        "estimates ({wpp} words per page). The technical appendix says how passage positions "
        "are stored and which software version made the report.",
    ),
}
KIND_WORDS: dict[str, tuple[str, str]] = {
    "interview": ("haastattelua", "interviews"),
    "document": ("asiakirjaa", "documents"),
    "survey_answer": ("kyselyvastausta", "survey answers"),
}


def phrase(key: str, lang: Lang, **values: object) -> str:
    text = _TEXT[key][0 if lang == "fi" else 1]
    return text.format(**values) if values else text
