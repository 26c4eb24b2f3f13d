"""USING and USING NAMED as SPARQL 1.1 Update says (3.1.3): installed once, by
kazkg.query.writes, into rdflib's update evaluator.

rdflib's evalModify makes the default graph of USING's graphs, but USING NAMED only "loads"
its graph (nothing, when graphs are not fetched), so that the WHERE saw every named graph of
the dataset and the default graph stayed the union: `INSERT { GRAPH <out> { ?s ?p ?o } }
USING NAMED <empty> WHERE { GRAPH ?g { ?s ?p ?o } }` copied every graph. Here an update with
USING NAMED has its WHERE evaluated on the dataset those clauses describe (the USING graphs
merged as the default graph, empty without them; the USING NAMED graphs as the only named
ones), and the templates are filled from those solutions against the whole dataset. So has
one with USING alone, whose WHERE rdflib let see every named graph (SPARQL: none).
"""

from __future__ import annotations

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from rdflib.plugins.sparql import update

    _installed = True
    update.evalModify = _scoped(update.evalModify)


def _scoped(modify):
    def scoped(ctx, u):
        if not u.using:
            return modify(ctx, u)
        from rdflib.plugins.sparql.evaluate import evalPart
        from rdflib.plugins.sparql.parserutils import CompValue

        from .engines import view

        dataset, default = view(ctx.dataset, [str(c.default) for c in u.using if c.default],
                                [str(c.named) for c in u.using if c.named])
        where = ctx.clone()
        where._dataset, where.graph = dataset, default
        rows = [dict(row) for row in evalPart(where, u.where)]
        solved = CompValue(u.name, **u)  # a copy: the parsed update may be cached
        solved["using"] = None
        solved["where"] = CompValue("ToMultiSet", p=CompValue("values", res=rows))
        return modify(ctx, solved)
    return scoped
