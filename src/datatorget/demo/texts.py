"""The words of the demo: the organisations, and each dataset's title, description and keywords."""

from typing import Any

ORGANIZATIONS: tuple[dict[str, Any], ...] = (
    {
        "slug": "sjovik",
        "name": "Sjöviks kommun",
        "org_number": "212000-9879",
        "publisher_type": "LocalAuthority",
        "homepage": "https://www.sjovik.example",
        "contact_email": "kommunen@sjovik.example",
        "contact_name": "Sjöviks kommun, kontaktcenter",
    },
    {
        "slug": "sjovik-energi",
        "name": "Sjöviks Energi AB",
        "org_number": "556999-1234",
        "publisher_type": "Company",
        "homepage": "https://www.sjovikenergi.example",
        "contact_email": "kundservice@sjovikenergi.example",
        "contact_name": "Sjöviks Energi, kundservice",
    },
    {
        "slug": "sjoviksbostader",
        "name": "Sjöviksbostäder AB",
        "org_number": "559999-4562",
        "publisher_type": "Company",
        "homepage": "https://www.sjoviksbostader.example",
        "contact_email": "info@sjoviksbostader.example",
        "contact_name": "Sjöviksbostäder, kundcenter",
    },
)


def _texts(title: tuple[str, str], description: tuple[str, str], keywords: tuple[str, str]) -> dict[str, Any]:
    """Title, description and keywords, each given as (Swedish, English); keywords comma-separated."""
    return {
        "title": {"sv": title[0], "en": title[1]},
        "description": {"sv": description[0].strip(), "en": description[1].strip()},
        "keywords": {
            lang: [word.strip() for word in words.split(",")]
            for lang, words in zip(("sv", "en"), keywords, strict=True)
        },
    }


DATASET_TEXTS: dict[str, dict[str, Any]] = {
    "badplatser": _texts(
        ("Badplatser", "Bathing sites"),
        (
            """
Kommunens badplatser vid havet och vid sjöarna. För varje badplats finns bland annat:

- typ av bad (havsbad eller sjöbad),
- om det finns toalett, badbrygga och livräddningsutrustning,
- om badplatsen är tillgänglighetsanpassad.

Vid badplatser med provtagning tar kommunen vattenprov under badsäsongen, se datamängden
*Vattenkvalitet vid badplatser*.
""",
            """
The municipality's bathing sites by the sea and by the lakes. For each site you will find, among other things:

- the kind of site (sea or lake),
- whether there is a toilet, a jetty and life-saving equipment,
- whether the site is accessible.

At sites with sampling the municipality tests the water during the bathing season, see the dataset
*Water quality at bathing sites*.
""",
        ),
        ("badplatser, bad, stränder, friluftsliv", "bathing sites, swimming, beaches, outdoor recreation"),
    ),
    "badvattenkvalitet": _texts(
        ("Vattenkvalitet vid badplatser", "Water quality at bathing sites"),
        (
            """
Resultat från kommunens provtagning av badvatten under badsäsongen 2024. Proverna analyseras
för *E. coli* och intestinala enterokocker, och varje prov bedöms som **tjänligt**, **tjänligt med
anmärkning** eller **otjänligt**.

Under säsongen publiceras resultaten också på
[kommunens webbplats](https://www.sjovik.example/uppleva-och-gora/bad/badvattenkvalitet) och i
Havs- och vattenmyndighetens tjänst Badplatsen.
""",
            """
Results of the municipality's sampling of bathing water during the 2024 season. The samples are analysed
for *E. coli* and intestinal enterococci, and each sample is assessed as **fit for bathing**, **fit for
bathing with remarks** or **unfit for bathing**.

During the season the results are also published on
[the municipality's website](https://www.sjovik.example/uppleva-och-gora/bad/badvattenkvalitet) and in
Badplatsen, the service of the Swedish Agency for Marine and Water Management.
""",
        ),
        (
            "badvatten, vattenkvalitet, provtagning, miljöövervakning",
            "bathing water, water quality, sampling",
        ),
    ),
    "offentliga-toaletter": _texts(
        ("Offentliga toaletter", "Public toilets"),
        (
            """
Var finns närmaste toalett? Här finns kommunens offentliga toaletter med adress, öppettider
och avgift, och om toaletten har skötbord och är tillgänglighetsanpassad.

Toaletter vid badplatserna är öppna från maj till september. Fel på en toalett kan du anmäla
till [kontaktcenter](https://www.sjovik.example/felanmalan).
""",
            """
Where is the nearest toilet? This dataset lists the municipality's public toilets with address,
opening hours and fee, and whether the toilet has a baby changing table and is accessible.

Toilets at the bathing sites are open from May to September. Faults can be reported to the
[contact centre](https://www.sjovik.example/felanmalan).
""",
        ),
        (
            "toaletter, offentliga toaletter, tillgänglighet, skötbord",
            "toilets, public toilets, accessibility",
        ),
    ),
    "lekplatser": _texts(
        ("Lekplatser", "Playgrounds"),
        (
            """
Kommunens lekplatser, från små närlekplatser i bostadsområdena till temalekplatser som lockar
barn från hela Sjövik. Lekplatserna delas in i:

- **närlekplatser** för de yngsta barnen,
- **områdeslekplatser** med mer utrustning och plats för bollspel,
- **temalekplatser** med en egen berättelse, till exempel sjörövare eller fyren.

Alla lekplatser besiktigas minst en gång om året.
""",
            """
The municipality's playgrounds, from small neighbourhood playgrounds to themed playgrounds that draw
children from all over Sjövik. The playgrounds are divided into:

- **neighbourhood playgrounds** for the youngest children,
- **district playgrounds** with more equipment and room for ball games,
- **themed playgrounds** with a story of their own, such as pirates or the lighthouse.

Every playground is inspected at least once a year.
""",
        ),
        ("lekplatser, barn, parker, fritid", "playgrounds, children, parks, leisure"),
    ),
    "atervinningsstationer": _texts(
        ("Återvinningsstationer", "Recycling stations"),
        (
            """
Återvinningsstationer (ÅVS) där du lämnar förpackningar av papper, plast, metall och glas.
Vid några stationer kan du också lämna textil. Datamängden anger vilka fraktioner som tas emot
och vilka dagar stationen töms.

Grovavfall, elavfall och farligt avfall lämnar du på återvinningscentralen.
""",
            """
Recycling stations where you can leave packaging made of paper, plastic, metal and glass.
Some stations also take textiles. The dataset shows which fractions each station accepts
and on which days it is emptied.

Bulky waste, electrical waste and hazardous waste go to the recycling centre.
""",
        ),
        ("återvinning, förpackningar, avfall, källsortering", "recycling, packaging, waste, sorting"),
    ),
    "laddstationer": _texts(
        ("Laddstationer för elbilar", "Charging stations for electric vehicles"),
        (
            """
Publika laddstationer för elbilar som drivs av Sjöviks Energi. För varje station anges antal
laddpunkter, högsta effekt, kontakttyper och pris per kWh.

Uppgifterna finns också i realtid via vårt API, se länken *API-beskrivning*. Alla stationer är
öppna dygnet runt och betalas med app eller kort.
""",
            """
Public charging stations for electric vehicles operated by Sjöviks Energi. For each station you
will find the number of charging points, the maximum power, the connector types and the price per kWh.

The data is also available in real time through our API, see the link *API description*. All
stations are open around the clock and are paid for by app or card.
""",
        ),
        (
            "laddstationer, elbil, laddinfrastruktur, elfordon",
            "charging stations, electric vehicles, EV charging",
        ),
    ),
    "luftkvalitet": _texts(
        ("Luftkvalitet – timvärden", "Air quality – hourly values"),
        (
            """
Timvärden för partiklar (PM10 och PM2,5) och kvävedioxid (NO2) från kommunens mätstation
i gaturum på Storgatan. Halterna anges i mikrogram per kubikmeter (µg/m³).

Värdena är inte validerade. Tomma värden betyder att instrumenten kalibrerades. Mer om luften
i Sjövik och miljökvalitetsnormerna finns på [kommunens webbplats](https://www.sjovik.example/miljo/luft).
""",
            """
Hourly values for particulate matter (PM10 and PM2.5) and nitrogen dioxide (NO2) from the municipality's
street-level monitoring station on Storgatan. Concentrations are given in micrograms per cubic metre (µg/m³).

The values are not validated. Empty values mean that the instruments were being calibrated. Read more
about the air in Sjövik and the air quality standards on
[the municipality's website](https://www.sjovik.example/miljo/luft).
""",
        ),
        (
            "luftkvalitet, luftföroreningar, partiklar, kvävedioxid",
            "air quality, air pollution, particulate matter",
        ),
    ),
    "trafikmatningar": _texts(
        ("Trafikmätningar", "Traffic counts"),
        (
            """
Resultat från kommunens trafikmätningar på det kommunala gatunätet under 2024. Varje mätning
pågår en vecka och redovisas per riktning med:

- medeldygnstrafik (fordon per dygn),
- andel tung trafik,
- medelhastighet och 85-percentil jämfört med skyltad hastighet.
""",
            """
Results of the municipality's traffic counts on the municipal street network in 2024. Each count
lasts one week and is reported per direction with:

- average daily traffic (vehicles per day),
- share of heavy vehicles,
- mean speed and 85th percentile speed compared with the speed limit.
""",
        ),
        ("trafik, trafikmätningar, hastighet, gator", "traffic, traffic counts, speed, streets"),
    ),
    "budgetutfall": _texts(
        ("Budgetutfall", "Budget outcome"),
        (
            """
Budget och utfall per verksamhet för åren 2021–2024, i tusentals kronor (tkr). En positiv
avvikelse betyder att verksamheten använt mindre pengar än budgeterat.

Årsredovisningarna med analys av resultatet finns på
[kommunens webbplats](https://www.sjovik.example/kommun-och-politik/ekonomi).
""",
            """
Budget and outcome per service area for 2021–2024, in thousands of Swedish kronor (tkr). A positive
deviation means that the service area spent less than budgeted.

The annual reports with an analysis of the results are available on
[the municipality's website](https://www.sjovik.example/kommun-och-politik/ekonomi).
""",
        ),
        ("budget, ekonomi, årsredovisning, utfall", "budget, finance, annual report, expenditure"),
    ),
    "skolor": _texts(
        ("Grundskolor", "Compulsory schools"),
        (
            """
Kommunala grundskolor i Sjövik med adress, årskurser, antal elever och skolenhetskod.
Skolor med förskoleklass har också fritidshem.

Läs om skolval och ansökan på [kommunens webbplats](https://www.sjovik.example/skola).
""",
            """
Municipal compulsory schools in Sjövik with address, school years, number of pupils and
school unit code. Schools with a preschool class also have after-school care.

Read about choosing a school and applying on [the municipality's website](https://www.sjovik.example/skola).
""",
        ),
        ("grundskola, skolor, utbildning, elever", "compulsory school, schools, education, pupils"),
    ),
    "bygglov": _texts(
        ("Beslut om bygglov", "Building permit decisions"),
        (
            """
Beslut om bygglov, rivningslov, marklov och förhandsbesked som byggnadsnämnden fattat under 2024.
För varje ärende anges diarienummer, fastighet, åtgärd, beslut och handläggningstid.

Uppgifter om sökande lämnas inte ut i datamängden.
""",
            """
Decisions on building permits, demolition permits, site permits and advance notices taken by the
building committee in 2024. Each case shows its reference number, property, measure, decision and
processing time.

Details of the applicants are not included in the dataset.
""",
        ),
        ("bygglov, byggande, fastigheter, plan- och bygglagen", "building permits, construction, property"),
    ),
    "evenemang": _texts(
        ("Evenemang", "Events"),
        (
            """
Kalendern med evenemang i Sjövik: konserter, teater, sagostunder, marknader och firanden.
Datamängden innehåller evenemang som kommunen och föreningarna har lagt in i
[evenemangskalendern](https://www.sjovik.example/evenemang).

Vill du lägga in ett eget evenemang? Kontakta kultur- och fritidsförvaltningen.
""",
            """
The calendar of events in Sjövik: concerts, theatre, story hours, markets and celebrations.
The dataset contains the events that the municipality and local associations have entered in the
[events calendar](https://www.sjovik.example/evenemang).

Would you like to add an event? Contact the culture and leisure department.
""",
        ),
        ("evenemang, kultur, fritid, kalender", "events, culture, leisure, calendar"),
    ),
    "bibliotek-oppettider": _texts(
        ("Bibliotekens öppettider", "Library opening hours"),
        (
            """
Öppettider för folkbiblioteken i Sjövik, både bemannade tider och **meröppet**, när du kommer in
med ditt lånekort och din pinkod utan att personal är på plats.

Avvikande öppettider kring helger meddelas på
[biblioteket.sjovik.example](https://biblioteket.sjovik.example).
""",
            """
Opening hours of the public libraries in Sjövik, both staffed hours and **self-service hours**,
when you can get in with your library card and PIN code without staff on site.

Changes around holidays are announced on [biblioteket.sjovik.example](https://biblioteket.sjovik.example).
""",
        ),
        ("bibliotek, öppettider, meröppet, kultur", "libraries, opening hours, self-service, culture"),
    ),
    "bostadsbestand": _texts(
        ("Lägenhetsbestånd", "Housing stock"),
        (
            """
Sjöviksbostäders hyreshus per adress, med byggår, antal lägenheter per storlek, bostadsarea och
medelhyra per kvadratmeter och år. Storleken anges i rum och kök (rok).

Lediga lägenheter söker du i [bostadskön](https://www.sjoviksbostader.example/bostadsko).
""",
            """
Sjöviksbostäder's rental buildings per address, with year of construction, number of apartments per size,
residential floor area and average rent per square metre and year. The size is given as rooms and kitchen
(rok).

Vacant apartments are found in [the housing queue](https://www.sjoviksbostader.example/bostadsko).
""",
        ),
        (
            "hyresrätter, bostäder, lägenheter, allmännyttan",
            "rental housing, housing, apartments, public housing",
        ),
    ),
    "fjarrvarme": _texts(
        ("Levererad fjärrvärme", "District heating delivered"),
        (
            """
Fjärrvärme som Sjöviks Energi levererat till kunderna per månad sedan 2022, i megawattimmar (MWh),
tillsammans med månadens medeltemperatur. Värmen produceras främst med biobränsle och
spillvärme från industrin, och andelen förnybart och återvunnet redovisas för varje månad.
""",
            """
District heating delivered by Sjöviks Energi to its customers per month since 2022, in megawatt hours (MWh),
together with the month's mean temperature. The heat is produced mainly from biofuels and
industrial waste heat, and the share of renewable and recovered energy is reported for each month.
""",
        ),
        (
            "fjärrvärme, energi, uppvärmning, förnybar energi",
            "district heating, energy, heating, renewable energy",
        ),
    ),
    "sammantradesprotokoll": _texts(
        ("Protokoll från kommunstyrelsen", "Minutes of the municipal executive board"),
        (
            """
Protokollen från kommunstyrelsens sammanträden, som PDF-filer på kommunens webbplats.
""",
            """
The minutes of the municipal executive board's meetings, as PDF files on the municipality's website.
""",
        ),
        ("protokoll", "minutes"),
    ),
    "planerade-cykelvagar": _texts(
        ("Planerade cykelvägar", "Planned cycle paths"),
        (
            """
Cykelvägar som kommunen planerar att bygga enligt cykelplanen. För varje projekt anges sträcka,
längd, typ av cykelväg, planerad byggstart, beräknad kostnad i miljoner kronor och status:

- **Under utredning**: sträckningen är inte bestämd.
- **Projektering**: sträckningen är bestämd och bygghandlingar tas fram.
- **Beslutad**: pengar finns i investeringsbudgeten.
""",
            """
Cycle paths that the municipality plans to build according to its cycling plan. For each project
you will find the route, length, kind of path, planned start of construction, estimated cost in
millions of kronor and status:

- **Under utredning** (under investigation): the route is not yet decided.
- **Projektering** (design): the route is decided and construction documents are being prepared.
- **Beslutad** (decided): the money is in the investment budget.
""",
        ),
        ("cykelvägar, cykling, trafikplanering, investeringar", "cycle paths, cycling, transport planning"),
    ),
}
