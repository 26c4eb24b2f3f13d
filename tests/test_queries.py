"""The query catalog: each competency question gives its expected answer, and the ones that
need inference answer less over the asserted graphs alone."""

from __future__ import annotations

import pytest

from kazkg.query import catalog
from tests.support import rdflib_answer
from kazkg.namespaces import KAZKG, KZR

QUERIES = catalog.load_all()


def rows(dataset, name):
    return list(rdflib_answer(dataset, QUERIES[name].text))


def column(result_rows, var):
    return {str(row[var]).rsplit("/", 1)[-1] for row in result_rows if row[var] is not None}


def test_catalog_has_15_documented_queries_5_needing_inference():
    assert len(QUERIES) >= 15
    for query in QUERIES.values():
        assert query.title and query.description
    assert sum(q.needs_inference for q in QUERIES.values()) >= 5


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_answers_something(dataset, name):
    assert rows(dataset, name), f"{name} has no answer"


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if q.needs_inference))
def test_inference_queries_answer_less_without_inference(dataset, asserted, name):
    assert len(rows(asserted, name)) < len(rows(dataset, name))


@pytest.mark.parametrize("name", sorted(n for n, q in QUERIES.items() if not q.needs_inference))
def test_other_queries_answer_the_same_without_inference(dataset, asserted, name):
    assert len(rows(asserted, name)) == len(rows(dataset, name))


def test_switched_to_new_system_1966(dataset):
    found = rows(dataset, "switched-to-new-system-1966")
    assert column(found, "enterprise") == {"ust-kamenogorsk-lead-zinc-combine", "shymkent-cement-plant"}
    assert column(found, "city") == {"oskemen", "shymkent"}


def test_lenin_prize_laureates(dataset):
    # the prize went to people: the combine is credited with it, not its laureate
    (row,) = rows(dataset, "lenin-prize-laureates")
    assert str(row["party"]).endswith("/achisai-polymetallic-combine")
    assert str(row["role"]).endswith("#creditedEnterprise") and not row["laureate"].toPython()
    assert str(row["year"]) == "1985"
    # the certainty shown is the role's (an editorial reading), not the conferral's (attested)
    assert str(row["certainty"]).endswith("certainty-editorial") and "people" in str(row["why"])
    assert str(row["awardCertainty"]).endswith("certainty-attested")


def test_timeline_spans_the_period_in_order(dataset):
    found = rows(dataset, "timeline")
    starts = [int(r["from"]) for r in found]
    assert starts == sorted(starts)
    events = column(found, "event")
    assert {"plenum-1956", "first-oil-uzen-1965", "award-achisai-lenin-prize-1985",
            "construction-mangystau-tpc"} <= events
    tpc = next(r for r in found if str(r["event"]).endswith("construction-mangystau-tpc"))
    assert (int(tpc["from"]), int(tpc["to"])) == (1970, 1973)
    assert tpc["precision"] == KZR["date-early-decade"]


def test_enterprises_by_sector_and_oblast(dataset):
    found = rows(dataset, "enterprises-by-sector-and-oblast")
    pairs = {(str(r["enterprise"]).rsplit("/", 1)[1], str(r["oblast"]).rsplit("/", 1)[1])
             for r in found if r["oblast"] is not None}
    # oblasts come from the site's dated memberships: Soviet oblasts only, never today's regions
    assert ("achisai-polymetallic-combine", "chimkent-oblast") in pairs
    assert ("bukhtarma-hpp", "east-kazakhstan-oblast") in pairs
    assert {("uzen-oil-field", "guryev-oblast"), ("uzen-oil-field", "mangyshlak-oblast")} <= pairs
    assert not any(oblast.endswith("-region") for _, oblast in pairs)
    sectors = {str(r["enterprise"]).rsplit("/", 1)[1]: str(r["sector"]).rsplit("/", 1)[1]
               for r in found}
    assert sectors["shymkent-cement-plant"] == "sector-building-materials"


def test_region_of_a_place_in_a_year(dataset):
    found = rows(dataset, "region-of-a-place-in-a-year")
    def regions(place, year):
        return {str(r["region"]).rsplit("/", 1)[1] for r in found
                if str(r["place"]).endswith("/" + place) and int(r["year"]) == year}
    assert regions("aktau", 1970) == {"guryev-oblast"}
    assert regions("aktau", 1980) == {"mangyshlak-oblast"}
    assert regions("aktau", 1989) == set()  # 1988-1991: no source says (reference/regions)
    assert regions("uzen-oil-field", 1965) == {"guryev-oblast"}
    assert regions("aktau-desalination-plant", 1975) == {"mangyshlak-oblast"}
    assert regions("shymkent", 1970) == {"chimkent-oblast"}
    assert regions("shymkent", 2000) == {"turkistan-region"}
    # the name in use in the asked year, not today's
    (then,) = [r for r in found if str(r["place"]).endswith("/shymkent") and int(r["year"]) == 2000]
    assert str(then["name"]) == "South Kazakhstan Region" and not then["boundary"].toPython()
    # a year at an inclusive bound gives both regions, each flagged as a boundary year
    boundary = [r for r in found if str(r["place"]).endswith("/shymkent") and int(r["year"]) == 1992]
    assert regions("shymkent", 1992) == {"chimkent-oblast", "turkistan-region"}
    assert all(r["boundary"].toPython() for r in boundary)
    today = {int(r["year"]) for r in found if str(r["place"]).endswith("/aktau")} - {1970, 1980, 1989}
    (this_year,) = today
    assert regions("aktau", this_year) == {"mangystau-region"}
    assert regions("almaty", this_year) == set() and regions("almaty", 1970) == set()
    assert regions("shymkent", this_year) == set()


def test_territorial_production_complexes(dataset):
    found = rows(dataset, "territorial-production-complexes")
    assert column(found, "complex") == {"mangystau-tpc", "pavlodar-ekibastuz-tpc",
                                        "shymkent-kentau-tpc", "zhambyl-karatau-tpc"}
    places = {(str(r["complex"]).rsplit("/", 1)[1], str(r["place"]).rsplit("/", 1)[1])
              for r in found if r["place"] is not None}
    assert ("mangystau-tpc", "mangyshlak-peninsula") in places
    assert ("zhambyl-karatau-tpc", "taraz") in places
    # the text names no member: none is inferred from location
    assert all(r["enterprise"] is None for r in found)


def test_statistics(dataset):
    found = rows(dataset, "statistics")
    values = {float(r["value"]) for r in found if r["value"] is not None}
    assert {45000, 6, 2700, 11, 70, 14, 170, 100, 3} <= values
    assert sum(1 for r in found if r["trend"] is not None) >= 4


def test_statement_source(dataset):
    found = {str(r["graph"]).rsplit("/graph/", 1)[1]: r for r in rows(dataset, "statement-source")}
    assert set(found) == {"text/industry-1956-1985/p2-s7", "reference/readings"}
    sentence = found["text/industry-1956-1985/p2-s7"]
    assert str(sentence["id"]) == "p2.s7"
    assert "Ащысай" in str(sentence["kazakh"]) and "Lenin Prize" in str(sentence["english"])
    # the sentence graph asserts the triple, but its reading is the editors': the certainty is
    # the editorial statement's, not the award conferral's (attested by the text)
    assert str(sentence["certainty"]).endswith("certainty-editorial")
    editorial = found["reference/readings"]
    assert str(editorial["certainty"]).endswith("certainty-editorial")
    assert "conferred on people" in str(editorial["reason"])


def test_place_names(dataset):
    found = rows(dataset, "place-names")
    names = {(str(r["place"]).rsplit("/", 1)[1], str(r["historical"])) for r in found}
    for pair in [("aktau", "Shevchenko"), ("almaty", "Alma-Ata"), ("shymkent", "Chimkent"),
                 ("oskemen", "Ust-Kamenogorsk"), ("semey", "Semipalatinsk"), ("taraz", "Dzhambul"),
                 ("zhanaozen", "Novy Uzen")]:
        assert pair in names, pair
    assert all(r["historical"] != r["current"] for r in found)  # "Chimkent Oblast" was listed as its own old name
    shevchenko = next(r for r in found if str(r["historical"]) == "Shevchenko")
    assert (str(shevchenko["from"]), str(shevchenko["to"])) == ("1964", "1991")


def test_enterprises_under_new_planning_system(dataset):
    found = rows(dataset, "enterprises-under-new-planning-system")
    assert column(found, "enterprise") == {"ust-kamenogorsk-lead-zinc-combine", "shymkent-cement-plant"}


def test_electric_power_enterprises(dataset):
    found = column(rows(dataset, "electric-power-enterprises"), "enterprise")
    assert {"karaganda-gres-1", "bukhtarma-hpp", "mangyshlak-atomic-energy-combine",
            "ekibastuz-gres-1"} <= found
    assert "achisai-polymetallic-combine" not in found


def test_enterprises_of_a_region(dataset):
    found = column(rows(dataset, "enterprises-of-a-region"), "enterprise")
    assert found == {"bukhtarma-hpp", "ust-kamenogorsk-lead-zinc-combine"}


def test_city_enterprises(dataset):
    found = column(rows(dataset, "city-enterprises"), "enterprise")
    assert {"karaganda-gres-1", "karaganda-metallurgical-combine"} <= found
    assert "temirtau-food-industry" not in found  # a city's industry, not an enterprise


def test_organisations_in_schema_org(dataset):
    found = rows(dataset, "organisations-in-schema-org")
    pairs = {(str(r["organisation"]).rsplit("/", 1)[1], str(r["place"]).rsplit("/", 1)[1])
             for r in found}
    assert ("achisai-polymetallic-combine", "ussr") in pairs


def test_events_by_kind(dataset):
    counts = {str(r["kind"]).rsplit("#", 1)[1]: int(r["events"]) for r in rows(dataset, "events-by-kind")}
    assert counts["AwardConferral"] == 1 and counts["Plenum"] == 1
    assert counts["SwitchToNewSystem"] == 2 and counts["FirstOutput"] >= 4
    # an event of no narrower kind (a decision, a grant of town status) is counted too
    assert counts["Event"] >= 1
    events = rdflib_answer(dataset, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <%s> }" % KAZKG.Event)
    assert sum(counts.values()) >= int(next(iter(events))[0])


def test_source_conflicts(dataset):
    found = column(rows(dataset, "source-conflicts"), "conflict")
    assert {"conflict-taraz-renaming", "conflict-bn-350-start"} <= found


def test_places_on_the_map(dataset):
    found = {str(r["place"]).rsplit("/", 1)[1]: r for r in rows(dataset, "places-on-the-map")}
    assert str(found["karaganda"]["wikidata"]).endswith("Q484706")
    assert float(found["karaganda"]["lat"]) == pytest.approx(49.80278)


def test_statements_per_sentence(dataset):
    found = rows(dataset, "statements-per-sentence")
    assert len(found) == 29 and all(int(r["statements"]) > 8 for r in found)


def test_policies(dataset):
    found = rows(dataset, "policies")
    assert {"management-reform-1956", "new-planning-system", "new-working-regime",
            "raw-material-base-policy"} <= column(found, "policy")
    regime = next(r for r in found if str(r["policy"]).endswith("new-working-regime"))
    assert str(regime["partOf"]).endswith("new-planning-system")
