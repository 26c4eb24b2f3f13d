"""rdflib's SPARQL evaluator held to SPARQL's rules for errors: installed once, by
kazkg.query.sparql, when rdflib's SPARQL package is first imported (before any query is
parsed, so every parse and every evaluation in the process has it).

rdflib lets Python's own exceptions out of an expression it cannot evaluate (REPLACE with a
bad pattern, SUBSTR with 1e308, STRLANG with an invalid tag, an
unpaired surrogate given to ENCODE_FOR_URI): each was a 500 and a replaced worker. SPARQL
says what they are instead, and that is what they become here:

- an error while evaluating an expression is an expression error (17.3): BIND leaves its
  variable unbound, FILTER is false, an ORDER BY key sorts as unbound (15.1), a SELECT
  expression is left out of its row;
- an error in an aggregate's group makes that group's aggregate unbound (18.5), except COUNT,
  which counts the values that are bound and not errors;
- a CONSTRUCT triple that is not valid RDF (an invalid IRI, a literal
  subject or predicate, an invalid language tag) is left out of the answer (16.2), and a
  selected value that is no RDF term (an invalid IRI, rdflib's None for a variable bound to
  nothing) is unbound, as Oxigraph leaves it (the XML and TSV writers failed on them: a 500);
- LIMIT and OFFSET take any integer (no answer has 2^63 rows: beyond that, a LIMIT is no
  limit and an OFFSET gives no rows), where Python's islice refused them;
- integer * integer is an exact xsd:integer and decimals multiply exactly (rdflib made every
  product an xsd:decimal rounded to 28 digits), integer / integer is an xsd:decimal;
- a negative decimal (VALUES ?v { -2.5 }, ?s ?p -2.5) is read: rdflib's parser failed on it;
- a \\u escape of a surrogate (half of a UTF-16 pair) is a syntax error, as in Oxigraph; a
  high and a low one in a row are read as the one character they encode.

Only the exceptions a Python function raises for arguments it cannot take are expression
errors (EXPRESSION_ERRORS); anything else still fails the query, a bug reported as a 500.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from decimal import Decimal, localcontext

# What Python raises for values it cannot take (UnicodeError and decimal's errors are among
# them): inside an expression, the SPARQL type or value error it stands for. AttributeError
# too: rdflib's operators hand an argument's error (a value, for || and COALESCE to see) or an
# IRI to code that reads a literal's datatype or language.
EXPRESSION_ERRORS = (ValueError, ArithmeticError, TypeError, IndexError, AttributeError,
                     re.error)

_installed = False


def install() -> None:
    """Put the rules above into rdflib's SPARQL modules (once per process)."""
    global _installed, _ANY
    if _installed:
        return
    from rdflib.plugins.sparql import aggregates, evaluate, evalutils, parser
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import Expr

    _installed, _ANY = True, URIRef("urn:x")
    original_eval = Expr.eval

    def eval_expression(self, ctx={}):  # noqa: B006 (rdflib's own signature)
        try:
            return original_eval(self, ctx)
        except EXPRESSION_ERRORS as error:
            return _error(error)

    Expr.eval = eval_expression
    aggregates._eval = _strict(evalutils._eval)
    aggregates.Aggregator.update = _update_group
    aggregates.Aggregator.get_bindings = _group_bindings
    evaluate.evalOrderBy = _order_by
    evaluate.evalSlice = _slice
    evaluate._fillTemplate = _valid_only(evalutils._fillTemplate)  # updates: kazkg.query.writes
    evaluate.evalProject = _terms_only(evaluate.evalProject)
    parser.MultiplicativeExpression.setEvalFn(_multiply)
    parser.expandUnicodeEscapes = _expand_escapes
    parser.neg = _negative(parser.neg)


def _error(error: Exception):
    from rdflib.plugins.sparql.sparql import SPARQLError

    return SPARQLError(f"{type(error).__name__}: {error}")


def _strict(evaluate):
    """rdflib's _eval for the aggregates, where an expression's error (a value, as Expr.eval
    gives it) is raised: the accumulators added it, or read its datatype."""
    def strict(expr, ctx, raise_not_bound_error=True):
        from rdflib.plugins.sparql.sparql import SPARQLError

        value = evaluate(expr, ctx, raise_not_bound_error)
        if isinstance(value, SPARQLError):
            raise value
        return value
    return strict


def _update_group(self, row) -> None:
    """rdflib's Aggregator.update, where an error ends that aggregate for the group."""
    from rdflib.plugins.sparql.aggregates import Counter
    from rdflib.plugins.sparql.sparql import NotBoundError, SPARQLError

    for acc in list(self.accumulators.values()):
        try:
            if acc.use_row(row):
                acc.update(row, self)
        except NotBoundError:
            continue  # an unbound value is left out of the aggregate
        except (SPARQLError, *EXPRESSION_ERRORS):
            if not isinstance(acc, Counter):  # COUNT counts the values without errors
                del self.accumulators[acc.var]  # never set: unbound in this group


def _group_bindings(self):
    from rdflib.plugins.sparql.sparql import SPARQLError

    for acc in self.accumulators.values():
        try:
            acc.set_value(self.bindings)
        except (SPARQLError, *EXPRESSION_ERRORS):
            self.bindings.pop(acc.var, None)
    return self.bindings


def _order_by(ctx, part):
    """rdflib's evalOrderBy, where a key that is an error sorts as an unbound one (lowest)."""
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.evalutils import _val
    from rdflib.plugins.sparql.parserutils import value

    def key(expr):
        def of(row):
            found = _val(value(row, expr, variables=True))
            return found if found is not None else _UNBOUND
        return of

    rows = evalPart(ctx, part.p)
    for condition in reversed(part.expr):
        rows = sorted(rows, key=key(condition.expr),
                      reverse=bool(condition.order and condition.order == "DESC"))
    return rows


class _Lowest(str):
    """The key of an unbound or failed ORDER BY expression (rdflib gives an unbound one (0,
    the variable), and an error none): before every term, equal to the other such keys."""


_UNBOUND = (0, _Lowest(""))


def _slice(ctx, part):
    """rdflib's evalSlice for any LIMIT and OFFSET (islice takes at most sys.maxsize)."""
    from rdflib.plugins.sparql.evaluate import evalPart

    if part.start >= sys.maxsize:
        return iter(())
    stop = None if part.length is None else min(part.start + part.length, sys.maxsize)
    return itertools.islice(evalPart(ctx, part.p), part.start, stop)


def _valid_only(fill):
    """rdflib's _fillTemplate, giving only the triples that are valid RDF."""
    def valid(template, solution):
        return (triple for triple in fill(template, solution) if _is_rdf(triple))
    return valid


def _terms_only(project):
    """rdflib's evalProject, where a value that is not an RDF term is left out of its row."""
    def terms_only(ctx, part):
        from rdflib.plugins.sparql.sparql import FrozenBindings

        for row in project(ctx, part):
            if all(_is_term(value) for value in row.values()):
                yield row
            else:
                yield FrozenBindings(row.ctx, ((k, v) for k, v in row.items() if _is_term(v)))
    return terms_only


_ANY = None  # an IRI for the triple _is_term checks a value in (set at install)


def _is_term(value) -> bool:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(value, URIRef):
        try:  # 0.3 us, a sixth of the Triple _is_rdf makes
            return ox.NamedNode(value) is not None
        except ValueError:
            return False
    if isinstance(value, BNode) or (isinstance(value, Literal) and not value.language):
        return True  # nothing in them to check (the cheap, common case)
    return isinstance(value, Literal) and _is_rdf((_ANY, _ANY, value))


def _is_rdf(triple) -> bool:
    import pyoxigraph as ox

    from ..formats.terms import to_oxigraph

    try:  # Oxigraph's terms check IRIs (RFC 3987) and language tags (BCP 47) as its writers do
        ox.Triple(*(to_oxigraph(term) for term in triple))
    except (ValueError, TypeError):
        return False
    return True


_RANKS = ("integer", "decimal", "float", "double")


def _multiply(e, ctx):
    """rdflib's MultiplicativeExpression with SPARQL's types (17.3, XPath's op:numeric-*):
    integers give an exact xsd:integer (xsd:decimal for a division), decimals an exact
    product; a float or double divided by zero is an infinity or NaN, as IEEE 754 says."""
    from rdflib import Literal
    from rdflib.namespace import XSD
    from rdflib.plugins.sparql.operators import numeric
    from rdflib.plugins.sparql.sparql import SPARQLError

    if e.other is None:
        return e.expr
    result, rank = numeric(e.expr), _rank(e.expr)
    for op, term in zip(e.op, e.other):
        operand, rank = numeric(term), max(rank, _rank(term))
        if rank >= 2:
            result = _float_op(float(result), op, float(operand))
        elif op == "*":
            if rank == 0:
                result = int(result) * int(operand)
            else:
                with localcontext() as exact:
                    exact.prec = max(28, 2 * len(str(result)) + 2 * len(str(operand)))
                    result = Decimal(result) * Decimal(operand)
        else:
            if operand == 0:
                raise SPARQLError("division by zero")
            rank = max(rank, 1)
            result = Decimal(result) / Decimal(operand)
    if rank == 1 and not isinstance(result, Decimal):
        result = Decimal(result)
    return Literal(result, datatype=getattr(XSD, _RANKS[rank]))


def _rank(literal) -> int:
    datatype = str(getattr(literal, "datatype", "") or "")
    for rank in (3, 2, 1):
        if datatype.endswith("#" + _RANKS[rank]):
            return rank
    return 0  # numeric() took it: an integer, or a type derived from xsd:integer


def _float_op(a: float, op: str, b: float) -> float:
    if op == "*":
        return a * b
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * \
            math.copysign(1, b)
    return a / b


def _negative(neg):
    """rdflib's parser's negation of a number, for decimals too (Literal.__neg__ takes only
    int and float: a TypeError out of the parser, for any query with -2.5 in its data)."""
    def negative(literal):
        from rdflib import Literal

        if isinstance(literal.value, Decimal):
            return Literal(-literal.value, datatype=literal.datatype)
        return neg(literal)
    return negative


_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)  # rdflib's own
_PAIR = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)


def _expand_escapes(text: str) -> str:
    """rdflib's expandUnicodeEscapes, refusing (ValueError) an escape that is no character."""
    text = _PAIR.sub(lambda m: chr(0x10000 + ((int(m[1], 16) - 0xD800) << 10)
                                   + int(m[2], 16) - 0xDC00), text)

    def expand(match) -> str:
        point = int(match[1], 16)
        if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
            raise ValueError(f"\\{match[0][1]}{match[1]} is not a character (an escape of "
                             "half a UTF-16 pair, or beyond U+10FFFF): write the character")
        return chr(point)
    return _ESCAPE.sub(expand, text)
