"""Rules of grouping that rdflib does not enforce (SPARQL 1.1, section 11.4 and 18.2.4.1).

In a grouped query (GROUP BY, or an aggregate in SELECT, HAVING or ORDER BY) every variable
of SELECT must be a group key, or used only inside an aggregate. rdflib answers such a query
with an arbitrary value of the variable; Oxigraph refuses it with a message about an "unbound"
variable. kazkg answers 400 with the message Jena gives: "Non-group key variable in SELECT".
An aggregate anywhere else (BIND, FILTER, GROUP BY) is a 400 too, as in Oxigraph and Jena:
rdflib failed on it inside (a 500).

`name_keys` gives a GROUP BY expression without AS a variable of its own (rdflib's algebra
grouped by None, and failed inside).
"""

from __future__ import annotations

import re

from pyparsing import ParseResults

from rdflib import Variable
from rdflib.plugins.sparql.parserutils import CompValue

from ..errors import QueryError
from .syntax import field, position, walk

_SELECT = r"(?i)\bselect\b"
_NOT_INTO = ("Builtin_EXISTS", "Builtin_NOTEXISTS", "SubSelect")


_QUERIES = ("SelectQuery", "SubSelect", "ConstructQuery", "AskQuery", "DescribeQuery")
_KEY = "_kazkg_group_key"  # lengthened with _ until the query's text does not hold it


def check(tree, text: str) -> None:
    """QueryError for the first grouped SELECT (outer or sub-select) that breaks the rules,
    or the first aggregate where none may be."""
    for node in walk(tree):
        if node.name in _QUERIES:
            for part in ("where", "groupby"):
                _no_aggregate_in(field(node, part), text)
        if node.name in ("SelectQuery", "SubSelect") and _grouped(node):
            _check_select(node, text)


def name_keys(tree, text: str) -> None:
    """GROUP BY (expression) becomes GROUP BY (expression AS ?_kazkg_group_keyN), with a name
    the query does not use."""
    key = _KEY
    while key in text:
        key += "_"
    for number, node in enumerate(n for n in walk(tree) if n.name == "GroupAs"):
        if field(node, "var") is None:
            node["var"] = Variable(f"{key}{number}")


def _no_aggregate_in(node, text: str) -> None:
    for found in walk(node, skip="SubSelect"):
        if found.name.startswith("Aggregate_"):
            name = {"GroupConcat": "GROUP_CONCAT"}.get(found.name[10:], found.name[10:].upper())
            line, column = position(text, rf"(?i)\b{name}\s*\(", r"\{")
            raise QueryError(f"{name} is an aggregate: it may be used in SELECT, HAVING or "
                             "ORDER BY, not in a graph pattern (BIND, FILTER) nor in GROUP BY",
                             line, column, text)


def _grouped(select: CompValue) -> bool:
    if field(select, "groupby") is not None:
        return True
    return any(_aggregates(select.get(part)) for part in ("projection", "having", "orderby"))


def _aggregates(node) -> bool:
    return any(n.name.startswith("Aggregate_") for n in walk(node)) if node is not None else False


def _check_select(select: CompValue, text: str) -> None:
    projection = field(select, "projection")
    if not projection:
        line, column = position(text, r"\*", _SELECT)
        raise QueryError("SELECT * is not allowed with GROUP BY or aggregates: name the group "
                         "keys and aggregates to return", line, column, text)
    keys: set[Variable] = set()
    groupby = field(select, "groupby")
    for condition in (groupby.condition if groupby is not None else []):
        if isinstance(condition, Variable):
            keys.add(condition)
        elif isinstance(condition, CompValue) and field(condition, "var") is not None:
            keys.add(condition.var)
    for item in projection:
        plain = field(item, "var")
        used = [plain] if plain is not None else list(_outside_aggregates(field(item, "expr")))
        for variable in used:
            if variable not in keys:
                line, column = position(text, rf"[?$]{re.escape(str(variable))}(?!\w)", _SELECT)
                raise QueryError(f"Non-group key variable in SELECT: ?{variable}", line, column,
                                 text)
        if field(item, "evar") is not None:
            keys.add(item.evar)  # a later expression may use what an earlier one computed


def _outside_aggregates(node):
    if isinstance(node, Variable):
        yield node
    elif isinstance(node, CompValue):
        if node.name.startswith("Aggregate_") or node.name in _NOT_INTO:
            return
        for value in node.values():
            yield from _outside_aggregates(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _outside_aggregates(value)
