"""The vocabulary the OWL-RL rules name, as fixed ints (Terms codes these terms first)."""

from rdflib.namespace import OWL, RDF, RDFS

VOCABULARY = (
    RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.inverseOf, OWL.sameAs, OWL.differentFrom,
    OWL.propertyChainAxiom, OWL.hasKey, OWL.onProperty, OWL.onClass, OWL.hasValue,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.maxCardinality, OWL.maxQualifiedCardinality,
    OWL.intersectionOf, OWL.unionOf, OWL.oneOf, OWL.complementOf, OWL.disjointWith,
    OWL.propertyDisjointWith, OWL.members, OWL.distinctMembers, OWL.sourceIndividual,
    OWL.assertionProperty, OWL.targetIndividual, OWL.targetValue, RDF.first, RDF.rest, RDF.nil,
    OWL.Thing, OWL.Nothing, OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property,
    OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.IrreflexiveProperty,
    OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.TransitiveProperty,
    OWL.AllDisjointProperties, OWL.AllDisjointClasses, OWL.AllDifferent, OWL.AnnotationProperty,
    RDFS.Datatype,
)

(TYPE, SUB, SPO, DOM, RNG, EQC, EQP, INV, SAME, DIFF, CHAIN, KEY, ONP, ONC, HV, SVF, AVF, MAXC, MAXQC, INT, UNI, ONEOF, COMP, DISJ, PDW, MEMBERS, DMEMBERS, SRC, ASSP, TGTI, TGTV, FIRST, REST, NIL, THING, NOTHING, CLASS, OBJP, DATAP, PROPERTY, FUNC, IFP, IRR, SYM, ASYM, TRANS, ADP, ADC, ADIFF, ANNP, DATATYPE) = range(len(VOCABULARY))
