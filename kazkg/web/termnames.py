"""Names in kk, ru and en for the terms of other vocabularies that kazkg's data uses (SKOS, PROV,
Dublin Core, schema.org, OWL-Time, Web Annotation, GeoSPARQL, OWL, VANN, RDF and RDFS), for
pages only.

Those vocabularies label their terms in English at most, and the data does not restate them
(a label of skos:altLabel is not a fact about Kazakhstan's industry): without this table, a
Kazakh or Russian page showed "alt label" or "has geometry" as words of no language. A label
the data itself gives still comes first (kazkg.web.lookup.Names)."""

from __future__ import annotations

_NAMESPACES = {
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "geosparql": "http://www.opengis.net/ont/geosparql#",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "vann": "http://purl.org/vocab/vann/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}

# prefixed name: (en, kk, ru)
_NAMES = {
    "skos:prefLabel": ("preferred name", "негізгі атауы", "основное название"),
    "skos:altLabel": ("other name", "басқа атауы", "другое название"),
    "skos:definition": ("definition", "анықтамасы", "определение"),
    "skos:editorialNote": ("editorial note", "редакция ескертпесі", "примечание редакции"),
    "skos:note": ("note", "ескертпе", "примечание"),
    "skos:exactMatch": ("exact match", "дәл сәйкесі", "точное соответствие"),
    "skos:inScheme": ("in scheme", "жіктеме", "схема"),
    "skos:broader": ("broader concept", "кеңірек ұғымы", "более широкое понятие"),
    "skos:broaderTransitive": ("broader concept (transitive)", "кеңірек ұғымы (транзитивті)",
                               "более широкое понятие (транзитивно)"),
    "skos:topConceptOf": ("top concept of", "жоғарғы ұғымы болатын жіктеме",
                          "верхнее понятие схемы"),
    "skos:hasTopConcept": ("top concept", "жоғарғы ұғымы", "верхнее понятие"),
    "prov:wasDerivedFrom": ("derived from", "алынған дереккөзі", "получено из"),
    "prov:wasAttributedTo": ("attributed to", "авторы", "автор"),
    "prov:value": ("value", "мәні", "значение"),
    "dcterms:source": ("source", "дереккөзі", "источник"),
    "dcterms:creator": ("creator", "жасаушысы", "создатель"),
    "dcterms:bibliographicCitation": ("citation", "библиографиялық сілтеме",
                                      "библиографическая ссылка"),
    "dcterms:description": ("description", "сипаттамасы", "описание"),
    "dcterms:title": ("title", "тақырыбы", "заглавие"),
    "dcterms:alternative": ("other title", "басқа тақырыбы", "другое заглавие"),
    "dcterms:identifier": ("identifier", "идентификаторы", "идентификатор"),
    "dcterms:isPartOf": ("part of", "бөлігі болатын тұтас", "часть"),
    "dcterms:license": ("licence", "лицензиясы", "лицензия"),
    "dcterms:created": ("created", "жасалған күні", "дата создания"),
    "schema:containedInPlace": ("contained in place", "орналасқан аумағы", "находится в"),
    "schema:location": ("location", "орны", "местонахождение"),
    "schema:about": ("about", "тақырыбы", "о чём"),
    "schema:text": ("text", "мәтіні", "текст"),
    "schema:position": ("position", "реттік нөмірі", "порядковый номер"),
    "schema:inLanguage": ("language", "тілі", "язык"),
    "schema:translationOfWork": ("translation of", "аудармасының түпнұсқасы", "перевод произведения"),
    "schema:foundingDate": ("founding date", "құрылған күні", "дата основания"),
    "schema:startDate": ("start date", "басталған күні", "дата начала"),
    "time:hasTime": ("time", "уақыты", "время"),
    "time:inXSDgYear": ("year", "жылы", "год"),
    "time:hasBeginning": ("beginning", "басы", "начало"),
    "time:hasEnd": ("end", "соңы", "конец"),
    "oa:hasTarget": ("target", "нысанасы", "объект аннотации"),
    "oa:hasBody": ("body", "мазмұны", "содержание аннотации"),
    "oa:hasSource": ("source", "дереккөзі", "источник"),
    "oa:hasSelector": ("selector", "таңдаушысы", "селектор"),
    "oa:motivatedBy": ("motivation", "мақсаты", "назначение"),
    "oa:exact": ("exact text", "дәл мәтіні", "точный текст"),
    "oa:prefix": ("text before", "алдындағы мәтін", "текст до"),
    "oa:suffix": ("text after", "кейінгі мәтін", "текст после"),
    "oa:start": ("start", "басталатын орны", "начало"),
    "oa:end": ("end", "аяқталатын орны", "конец"),
    "geosparql:hasGeometry": ("geometry", "геометриясы", "геометрия"),
    "geosparql:asWKT": ("as WKT", "WKT түрінде", "в формате WKT"),
    "geo:lat": ("latitude", "ендігі", "широта"),
    "geo:long": ("longitude", "бойлығы", "долгота"),
    "owl:equivalentClass": ("equivalent class", "баламалы класы", "эквивалентный класс"),
    "owl:disjointWith": ("disjoint with", "қиылыспайтын класы", "не пересекается с"),
    "owl:inverseOf": ("inverse of", "кері қасиеті", "обратно свойству"),
    "owl:propertyChainAxiom": ("property chain", "қасиеттер тізбегі", "цепочка свойств"),
    "owl:intersectionOf": ("intersection of", "қиылысуы", "пересечение"),
    "owl:onProperty": ("on property", "қасиеті", "свойство"),
    "owl:hasValue": ("has value", "мәні", "значение"),
    "owl:someValuesFrom": ("some values from", "мәндерінің класы", "некоторые значения из"),
    "owl:members": ("members", "мүшелері", "элементы"),
    "owl:versionIRI": ("version IRI", "нұсқасының IRI-і", "IRI версии"),
    "owl:versionInfo": ("version", "нұсқасы", "версия"),
    "vann:preferredNamespacePrefix": ("preferred prefix", "ұсынылған префиксі",
                                      "предпочтительный префикс"),
    "vann:preferredNamespaceUri": ("preferred namespace", "ұсынылған аттар кеңістігі",
                                   "предпочтительное пространство имён"),
    "rdf:type": ("type", "түрі", "тип"),
    "rdf:subject": ("subject", "субъектісі", "субъект"),
    "rdf:predicate": ("predicate", "предикаты", "предикат"),
    "rdf:object": ("object", "объектісі", "объект"),
    "rdf:first": ("first", "бірінші мүшесі", "первый элемент"),
    "rdf:rest": ("rest", "қалған мүшелері", "остальные элементы"),
    "rdfs:label": ("label", "атауы", "название"),
    "rdfs:comment": ("comment", "түсініктемесі", "комментарий"),
    "rdfs:isDefinedBy": ("defined by", "анықталған жері", "определено в"),
    "rdfs:subClassOf": ("subclass of", "жалпы класы", "подкласс класса"),
    "rdfs:subPropertyOf": ("subproperty of", "жалпы қасиеті", "подсвойство свойства"),
    "rdfs:domain": ("domain", "анықталу облысы", "область определения"),
    "rdfs:range": ("range", "мәндер облысы", "область значений"),
}
LANGUAGES = ("en", "kk", "ru")

NAMES: dict[str, dict[str, str]] = {
    _NAMESPACES[prefix] + local: dict(zip(LANGUAGES, names))
    for prefixed, names in _NAMES.items()
    for prefix, local in [prefixed.split(":", 1)]
}
