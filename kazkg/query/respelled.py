"""Whether a query reads the spelling of a variable that may hold one of the data's literals
that Oxigraph spells otherwise (kazkg.query.spelling, step 2), read from rdflib's algebra.

The algebra is read node by node, each with a context: constraints that every row of the
node which can change the answer meets ({variable: the IRIs it may be bound to, or None for
"anything but a literal"}); a row that binds a constrained variable otherwise changes
nothing, so what is computed from it does not matter. A node answers the variables that may
hold such a literal in its rows that meet its context (`risky`). A constraint comes from
  - a VALUES block (or inline data) whose every row binds the variable to an IRI, joined with
    the pattern: a row of the pattern that binds it otherwise joins no row of the block;
  - a FILTER's top-level && conjunct isIRI(?v), isURI(?v), isBlank(?v) or !isLiteral(?v): on
    a row where ?v is a literal that conjunct is false, and false && anything (an error too)
    is false, so the filter removes the row.
Each node passes its context on only where its rows carry on as they are (the proof is at
each rule); where rows of a child decide the fate of other rows (the right of OPTIONAL and of
MINUS, a group of an aggregate, a LIMIT/OFFSET, the pattern of EXISTS) the child has none.
Any node not known here is taken to read spellings: the query runs on rdflib.
"""

from __future__ import annotations

from rdflib import URIRef, Variable
from rdflib.paths import NegatedPath, Path

from .syntax import field, walk

COMPUTING = {"Builtin_STR", "Builtin_CONCAT", "Builtin_STRLEN", "Builtin_SUBSTR",
             "Builtin_UCASE", "Builtin_LCASE", "Builtin_STRSTARTS", "Builtin_STRENDS",
             "Builtin_CONTAINS", "Builtin_STRBEFORE", "Builtin_STRAFTER",
             "Builtin_ENCODE_FOR_URI", "Builtin_REGEX", "Builtin_REPLACE", "Builtin_MD5",
             "Builtin_SHA1", "Builtin_SHA256", "Builtin_SHA384", "Builtin_SHA512", "Builtin_IRI",
             "Builtin_STRDT", "Builtin_STRLANG", "Builtin_ROUND", "Builtin_CEIL", "Builtin_FLOOR",
             "Builtin_ABS", "Function", "AdditiveExpression", "MultiplicativeExpression",
             "UnaryMinus", "Aggregate_Sum", "Aggregate_Avg"}
_NOT_LITERAL = {"Builtin_isIRI", "Builtin_isURI", "Builtin_isBLANK"}
_QUERIES = {"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"}


class _Reads(Exception):
    """A computing expression takes a variable that may hold a respelled literal."""


def reads_respelled(algebra, predicates: frozenset) -> bool:
    """Whether an expression that reads spellings or computes takes a variable that may hold
    one of the data's literals that Oxigraph spells otherwise (`predicates`: the IRIs of the
    predicates whose objects include one)."""
    try:
        _Scan(predicates).node(algebra, {})
    except _Reads:
        return True
    return False


class _Scan:
    def __init__(self, predicates: frozenset):
        self.predicates = predicates
        self.outer: frozenset = frozenset()  # risky variables of the row an EXISTS is asked of

    def node(self, node, context: dict) -> set:
        """The variables that may hold a respelled literal in `node`'s rows that meet
        `context`; _Reads when an expression of the node reads one."""
        if node is None:
            return set()
        name = getattr(node, "name", None)
        rule = getattr(self, "_" + name, None) if isinstance(name, str) else None
        if rule is None:
            raise _Reads  # a node not known here: not proved, so rdflib answers
        # a row that meets the context binds a constrained variable to no literal
        return rule(node, context) - context.keys()

    def _query(self, node, context):
        return self.node(field(node, "p"), {})

    _SelectQuery = _AskQuery = _ConstructQuery = _DescribeQuery = _query

    def _Project(self, node, context):
        # a row out is a row in cut to the projection: it meets the constraints on those
        # variables if the row in does; the others are the subquery's own, not the outer ones
        kept = set(field(node, "PV") or ())
        return self.node(field(node, "p"), {v: c for v, c in context.items() if v in kept}) & kept

    def _same(self, node, context):
        # rows out are rows in (DISTINCT, REDUCED: one of equal rows, which bind alike)
        return self.node(field(node, "p"), context)

    _Distinct = _Reduced = _ToMultiSet = _same

    def _Graph(self, node, context):
        # each row out is a row in with the graph's name added (an IRI): its bindings unchanged
        return self.node(field(node, "p"), context)

    def _OrderBy(self, node, context):
        # the order of the rows that matter is decided by their own keys: the keys of rows
        # that do not matter change only where those go
        risky = self.node(field(node, "p"), context)
        for condition in field(node, "expr") or ():
            self.check(field(condition, "expr") if getattr(condition, "name", None)
                       == "OrderCondition" else condition, risky)
        return risky

    def _Slice(self, node, context):
        # a row that does not matter still takes a place in LIMIT/OFFSET: no constraint inside
        return self.node(field(node, "p"), {})

    def _Filter(self, node, context):
        # a row in that the filter keeps goes out as it is; one whose constrained variable
        # is a literal is removed by its conjunct (see the module's docstring)
        expr = field(node, "expr")
        inner = _merged(context, {v: None for v in _not_literals(expr)})
        risky = self.node(field(node, "p"), inner)
        self.check(expr, risky)
        return risky

    def _Extend(self, node, context):
        # a row out is a row in with ?var added (BIND cannot rebind): a row in that does not
        # meet the other constraints gives a row out that does not; the BIND's value on it
        # does not matter, on the others it does (checked here, and ?var is risky from them)
        var, expr = field(node, "var"), field(node, "expr")
        risky = self.node(field(node, "p"), {v: c for v, c in context.items() if v != var})
        self.check(expr, risky)
        return risky | ({var} if _variables(expr) & (risky | self.outer) else set())

    def _Join(self, node, context):
        # a row out merges a row of each side, keeping their bindings: a row of one side that
        # binds a variable out of the context, or out of the IRIs every row of the other side
        # binds it to (a VALUES block), makes no row that matters
        left, right = field(node, "p1"), field(node, "p2")
        return (self.node(left, _merged(context, _bound(right)))
                | self.node(right, _merged(context, _bound(left))))

    def _Union(self, node, context):
        return self.node(field(node, "p1"), context) | self.node(field(node, "p2"), context)

    def _LeftJoin(self, node, context):
        # the left's rows carry on (merged, or alone); whether a right row matches decides
        # whether the left row goes out alone, so the right side has no constraint, nor the
        # condition, which is read on the merged rows
        risky = self.node(field(node, "p1"), context) | self.node(field(node, "p2"), {})
        self.check(field(node, "expr"), risky)
        return risky

    def _Minus(self, node, context):
        # the right's rows decide which left rows go: no constraint inside it
        risky = self.node(field(node, "p1"), context)
        self.node(field(node, "p2"), {})
        return risky

    def _AggregateJoin(self, node, context):
        # an aggregate reads every row of its group: no constraint inside
        group = field(node, "p")
        if getattr(group, "name", None) != "Group":
            raise _Reads
        risky = self.node(field(group, "p"), {})
        for key in field(group, "expr") or ():
            self.check(key, risky)
        for aggregate in field(node, "A") or ():
            self.check(aggregate, risky)
            if _variables(aggregate) & (risky | self.outer):  # SAMPLE, MIN, MAX: the value
                risky.add(field(aggregate, "res"))
        return risky

    def _values(self, node, context):
        return set()  # the query's own literals: the text's check (spelling.matters) read them

    def _BGP(self, node, context):
        risky = set()
        for subject, predicate, obj in field(node, "triples") or ():
            if isinstance(predicate, Path):  # ^p: the subject is the object; a path, any
                if _path_may_hold(predicate, self.predicates):
                    risky |= {t for t in (subject, obj) if isinstance(t, Variable)}
            elif isinstance(obj, Variable) and obj not in context:
                allowed = context.get(predicate) if isinstance(predicate, Variable) else {
                    str(predicate)}
                if allowed is None or allowed & self.predicates:
                    risky.add(obj)
        return risky

    def check(self, expr, risky: set) -> None:
        """_Reads when `expr` computes from a variable that may hold a respelled literal; the
        patterns of its EXISTS are read too, with the row's risky variables as theirs."""
        risky = risky | self.outer
        for part in walk(expr):
            if part.name in COMPUTING and _variables(part) & risky:
                raise _Reads
            if part.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
                # rdflib keeps the algebra of the pattern as an attribute, beside the parse
                pattern = vars(part).get("graph", field(part, "graph"))
                before, self.outer = self.outer, frozenset(risky)
                try:
                    self.node(pattern, {})
                finally:
                    self.outer = before


def _not_literals(expr) -> set:
    """The variables a FILTER's top-level && conjuncts require to be no literal."""
    if getattr(expr, "name", None) == "ConditionalAndExpression":
        found = set()
        for part in [field(expr, "expr"), *(field(expr, "other") or ())]:
            found |= _not_literals(part)
        return found
    name = getattr(expr, "name", None)
    if name == "UnaryNot":
        inner = field(expr, "expr")
        if getattr(inner, "name", None) == "Builtin_isLITERAL":
            arg = field(inner, "arg")
            return {arg} if isinstance(arg, Variable) else set()
    elif name in _NOT_LITERAL and isinstance(field(expr, "arg"), Variable):
        return {field(expr, "arg")}
    return set()


def _bound(node) -> dict:
    """{variable: the IRIs} for each variable that every row of `node` binds to an IRI of a
    VALUES block (UNDEF, a literal or a blank node in one of its rows: not there)."""
    name = getattr(node, "name", None)
    if name == "ToMultiSet":
        return _bound(field(node, "p"))
    if name == "Join":
        return _merged(_bound(field(node, "p1")), _bound(field(node, "p2")))
    if name != "values":
        return {}
    rows = field(node, "res") or []
    if not rows:
        return {}
    found = {}
    for var in rows[0]:
        terms = [row.get(var) for row in rows]
        if isinstance(var, Variable) and all(isinstance(t, URIRef) for t in terms):
            found[var] = frozenset(str(t) for t in terms)
    return found


def _merged(one: dict, other: dict) -> dict:
    """Both sets of constraints: a variable in both may be what both allow."""
    found = dict(one)
    for var, allowed in other.items():
        mine = found.get(var, allowed)
        found[var] = allowed if mine is None else mine if allowed is None else mine & allowed
    return found


def _path_may_hold(predicate, predicates) -> bool:
    """Whether a property path may reach an object through one of `predicates` (a negated
    path reaches nearly any)."""
    if isinstance(predicate, NegatedPath):
        return True
    if isinstance(predicate, Path):
        parts = getattr(predicate, "args", None) or [getattr(predicate, "path", None)
                                                     or getattr(predicate, "arg", None)]
        return any(_path_may_hold(part, predicates) for part in parts)
    return str(predicate) in predicates


def _variables(expr) -> set:
    if isinstance(expr, Variable):
        return {expr}
    found = set()
    for node in walk(expr):
        for value in node.values():
            if isinstance(value, Variable):
                found.add(value)
            elif isinstance(value, (list, tuple)):
                found.update(v for v in value if isinstance(v, Variable))
    return found
