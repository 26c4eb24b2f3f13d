"""rdflib's casts, rounding and AVG held to the definitions SPARQL 1.1 takes from XPath (17.5,
17.4.4, 18.5.1.4), as Oxigraph already has them: installed with kazkg.query.contained.

rdflib's casts went by Python's conversions: xsd:integer(1.5), xsd:integer(1e3) and
xsd:integer(true) were errors (XPath: 1, 1000, 1), xsd:boolean(0.0) and xsd:boolean(2) too
(false, true), while xsd:boolean("TRUE"), xsd:integer("１") (a full-width digit),
xsd:decimal(INF) and xsd:dateTime("2020-01-01") gave values (XPath: errors, as none is a
lexical form of its type or a value it has). + and - of an ill-typed literal recursed without end. ROUND, CEIL and FLOOR of an infinity or NaN were
errors (XPath: the same value). AVG skipped a value that is no number (AVG of 1 and "a" was
1); SPARQL's Sum fails on it, so the average is an error: unbound.

xsd:string("x"@en) kept the tag (STR drops it), xsd:float(1e308) was no infinity, a date was
no dateTime at its midnight, an invalid dateTime cast to itself, and ROUND("7"^^xsd:int) kept
the derived type (XPath: its base, xsd:integer); ROUND of 1e308 failed in Python's Decimal.

A string is cast by its lexical form with the spaces around it removed (XSD's whiteSpace
facet, "collapse", for each of these types); Oxigraph refuses " 1 " where XPath reads 1.
"""

from __future__ import annotations

import datetime
import math
import re
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from .contained import EXPRESSION_ERRORS

_NUMERIC = {XSD.integer, XSD.decimal, XSD.float, XSD.double}
_LEXICAL = {  # ASCII digits only: Python's int() and float() read any script's
    XSD.integer: re.compile(r"[+-]?[0-9]+"),
    XSD.decimal: re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    XSD.double: re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|INF)|NaN"),
    XSD.boolean: re.compile(r"true|false|1|0"),
    XSD.dateTime: re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                             r"(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"),
}
_LEXICAL[XSD.float] = _LEXICAL[XSD.double]
_DATE = re.compile(r"(-?[0-9]{4,}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")
_FLOAT_MAX = 3.4028234663852886e38
_INTEGERS = {XSD[name] for name in (
    "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
    "nonPositiveInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}


def install() -> None:
    from rdflib.plugins.sparql import aggregates, operators, parser

    original = operators.default_cast
    for target in (XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.dateTime,
                   XSD.string):
        operators._CUSTOM_FUNCTIONS[target] = (_cast(original), True)
    for name, rounding in (("Builtin_ROUND", operators.Builtin_ROUND),
                           ("Builtin_CEIL", operators.Builtin_CEIL),
                           ("Builtin_FLOOR", operators.Builtin_FLOOR)):
        _find(parser.BuiltInCall, name, set()).setEvalFn(_keeps_infinities(rounding))
    aggregates.Average.update = _average_update(aggregates.Average.update)
    Literal.__add__ = _typed_operands(Literal.__add__)
    Literal.__sub__ = _typed_operands(Literal.__sub__)


def _typed_operands(operator):
    """An ill-typed literal ("2020-13-45T00:00:00"^^xsd:dateTime, "abc"^^xsd:integer) has no
    value: arithmetic on it is a type error (XPath). rdflib's + and - took the literal itself
    for its value and called themselves again, without end: the worker's raised recursion
    limit let the C stack overflow (a segfault: "the query engine crashed", found by the
    fuzzer in the full abuse run)."""
    def checked(self, other):
        if _valueless(self) or _valueless(other):
            raise TypeError(f"a typed literal without a value: {self.n3()}, {other!r}")
        return operator(self, other)
    return checked


def _valueless(term) -> bool:
    """A typed literal whose lexical form gave no value (rdflib's toPython() is then the
    literal itself, which + and - took for the value)."""
    return isinstance(term, Literal) and term.datatype is not None and term.value is None


def _find(element, name: str, seen: set):
    """The pyparsing element of rdflib's grammar named `name` (a Comp), under `element`."""
    if id(element) in seen:
        return None
    seen.add(id(element))
    if getattr(element, "name", None) == name:
        return element
    inner = getattr(element, "exprs", None) or [getattr(element, "expr", None)]
    for child in inner:
        if child is not None and (found := _find(child, name, seen)) is not None:
            return found
    return None


def _cast(original):
    def cast(e, ctx):
        from rdflib.plugins.sparql.sparql import SPARQLError

        if len(e.expr or ()) != 1 or not isinstance(e.expr[0], Literal):
            return original(e, ctx)
        if e.iri == XSD.string:  # its lexical form, without a language tag (STR)
            return Literal(str(e.expr[0]))
        try:
            return _xpath_cast(e.expr[0], e.iri, original, e, ctx)
        except EXPRESSION_ERRORS as error:
            raise SPARQLError(f"cannot cast {e.expr[0].n3()} to {e.iri}: {error}") from None
    return cast


def _xpath_cast(value: Literal, target: URIRef, original, e, ctx) -> Literal:
    source = value.datatype or XSD.string
    if source == XSD.string:
        text = str(value).strip(" \t\n\r")
        if not _LEXICAL[target].fullmatch(text):
            raise ValueError(f"{text!r} is no lexical form of {target}")
        if target == XSD.dateTime:
            return original(e, ctx)
        value = Literal(text, datatype=target)  # read as its type, spelled as its value
    source = value.datatype
    if target == XSD.dateTime and source == XSD.date and _DATE.fullmatch(str(value)):
        day, zone = _DATE.fullmatch(str(value)).groups()
        return Literal(f"{day}T00:00:00{zone or ''}", datatype=XSD.dateTime)  # its midnight
    if target == XSD.dateTime or source == XSD.dateTime:
        if source != target or not isinstance(value.toPython(), datetime.datetime):
            raise ValueError("only a string, a date or a valid dateTime is cast to a dateTime")
        return value
    if source == XSD.boolean:
        number = 1 if value.toPython() is True else 0
    elif source in _NUMERIC or isinstance(value.toPython(), (int, Decimal, float)):
        number = value.toPython()
        if isinstance(number, bool) or not isinstance(number, (int, Decimal, float)):
            raise ValueError(f"{value.n3()} is not a number")
    else:
        return original(e, ctx)
    if target == XSD.boolean:
        return Literal(not (number == 0 or (isinstance(number, float) and math.isnan(number))))
    if target in (XSD.float, XSD.double):
        number = float(number)
        if target == XSD.float and math.isfinite(number) and abs(number) > _FLOAT_MAX:
            number = math.copysign(math.inf, number)  # past a float's range: an infinity
        return Literal(number, datatype=target)
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{value.n3()} has no {target} value")
    if target == XSD.integer:
        return Literal(int(number), datatype=XSD.integer)  # toward zero, as XPath truncates
    if isinstance(number, float):  # 1e3 is 1000, as Oxigraph spells it, not 1000.0
        number = int(number) if number.is_integer() else Decimal(repr(number))
    return Literal(Decimal(number), datatype=XSD.decimal)


def _keeps_infinities(rounding):
    """ROUND, CEIL, FLOOR as XPath's fn:round: an infinity, NaN or a double too large to have
    a fraction is its own result, and a type derived from xsd:integer gives an xsd:integer."""
    def evaluate(expr, ctx):
        argument = expr.arg
        if isinstance(argument, Literal) and argument.datatype in (XSD.double, XSD.float):
            number = argument.toPython()
            if isinstance(number, float) and not (abs(number) < 2 ** 52):
                return argument
        if isinstance(argument, Literal) and argument.datatype in _INTEGERS:
            return Literal(int(argument.toPython()), datatype=XSD.integer)
        return rounding(expr, ctx)
    return evaluate


def _average_update(update):
    """Average.update, where a value that is no number ends the average (an error: unbound in
    its group, kazkg.query.contained); rdflib skipped it."""
    def average(self, row, aggregator) -> None:
        from rdflib.plugins.sparql.evalutils import _eval
        from rdflib.plugins.sparql.operators import numeric
        from rdflib.plugins.sparql.sparql import NotBoundError

        try:
            numeric(_eval(self.expr, row))  # SPARQLTypeError for a value that is no number
        except NotBoundError:
            return
        update(self, row, aggregator)
    return average
