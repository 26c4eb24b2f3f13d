"""Semi-naive forward chaining of owlrl's OWL 2 RL rules over integer triples.

Each triple is fired once, when it is new (the one-at-a-time form of semi-naive evaluation):
it is joined with what the store holds, through the plan of its predicate (and of its class
for rdf:type), so no rule ever re-reads the whole graph. The schema's own rules (scm-*) run
first on the schema alone (kazkg.closure.schema); whenever rules on the data add schema
triples, the plans are compiled again and the triples whose plan changed are fired again.
"""

from __future__ import annotations

from .plans import NO_CLASS_RULES, NO_PROPERTY_RULES, Compiler
from .store import Store, Terms
from .vocabulary import FIRST, NIL, REST, SAME, THING, TYPE


class Engine:
    def __init__(self, terms: Terms, store: Store):
        self.terms, self.store = terms, store
        self.queue: list[tuple[int, int, int]] = []
        self.derived: list[tuple[int, int, int]] = []
        self._lists: dict[int, list[int]] = {}
        self.compiler = Compiler(store, terms, self.lists)
        self.property_plans: dict = {}
        self.class_plans: dict = {}
        self.derived_lists = False  # a rule made rdf:first/rest triples: owlrl's lists would differ
        # what the one-time rules (kazkg.closure.schema.once) found: their errors, and the
        # datatypes in use (an addition that uses another must be closed from scratch)
        self.once_errors: list[str] = []
        self.datatypes_used: set[int] = set()
        self.first_new = 0  # derived[first_new:] came from the last additions (closure.delta)

    def lists(self, head: int) -> list[int]:
        found = self._lists.get(head)
        if found is None:
            found = self._lists[head] = self.store.items(head, FIRST, REST, NIL)
        return found

    def derive(self, s: int, p: int, o: int) -> None:
        if p in self.terms.literals or (p == SAME and s == o):
            return  # owlrl drops literal predicates; x owl:sameAs x holds implicitly (see checks)
        if self.store.add(s, p, o):
            self.queue.append((s, p, o))
            self.derived.append((s, p, o))
            if p == FIRST or p == REST:
                self.derived_lists = True

    def refresh_plans(self) -> None:
        """Compile every plan again; fire again the triples of each one that changed."""
        store = self.store
        for p, old in list(self.property_plans.items()):
            new = self.compiler.property_plan(p)
            if new != old:
                self.property_plans[p] = new
                self.queue.extend((s, p, o) for s, o in store.pairs(p))
        for c, old in list(self.class_plans.items()):
            new = self.compiler.class_plan(c)
            if new != old:
                self.class_plans[c] = new
                self.queue.extend((x, TYPE, c) for x in list(store.subjects(TYPE, c)))

    def drain(self) -> None:
        queue, fire = self.queue, self.fire
        while queue:
            fire(*queue.pop())

    def fire(self, s: int, p: int, o: int) -> None:
        st, derive = self.store, self.derive
        plan = self.property_plans.get(p)
        if plan is None:
            plan = self.property_plans[p] = self.compiler.property_plan(p)
        if plan is not NO_PROPERTY_RULES:
            self._property_rules(plan, s, p, o)
        if p == TYPE:
            cplan = self.class_plans.get(o)
            if cplan is None:
                cplan = self.class_plans[o] = self.compiler.class_plan(o)
            if cplan is not NO_CLASS_RULES:
                self._class_rules(cplan, s, o)
        same = st.sp.get(SAME)
        if same:  # eq-sym, eq-trans and eq-rep-s/p/o, from either side
            if p == SAME:
                self._equality(s, o)
            for t in same.get(s, ()):
                derive(t, p, o)
            for t in same.get(p, ()):
                derive(s, t, o)
            for t in st.op[SAME].get(o, ()):
                derive(s, p, t)

    def _equality(self, s: int, o: int) -> None:
        st, derive = self.store, self.derive
        derive(o, SAME, s)
        for z in list(st.objects(o, SAME)):
            derive(s, SAME, z)
        for x in list(st.subjects(SAME, s)):
            derive(x, SAME, o)
        for q, by_subject in list(st.sp.items()):
            for y in list(by_subject.get(s, ())):
                derive(o, q, y)
            for y in list(st.op[q].get(o, ())):
                derive(y, q, s)
        for x, y in st.pairs(s):
            derive(x, o, y)

    def _property_rules(self, plan, s: int, p: int, o: int) -> None:
        st, derive = self.store, self.derive
        for c in plan.domains:
            derive(s, TYPE, c)
        for c in plan.ranges:
            derive(o, TYPE, c)
        for q in plan.supers:
            derive(s, q, o)
        for q in plan.inverses:
            derive(o, q, s)
        if plan.symmetric:
            derive(o, p, s)
        if plan.transitive:
            for z in list(st.objects(o, p)):
                derive(s, p, z)
            for x in list(st.subjects(p, s)):
                derive(x, p, o)
        if plan.functional:
            for y in list(st.objects(s, p)):
                if y != o:
                    derive(o, SAME, y)
                    derive(y, SAME, o)
        if plan.inverse_functional:
            for x in list(st.subjects(p, o)):
                if x != s:
                    derive(s, SAME, x)
                    derive(x, SAME, s)
        for owner, chain, at in plan.chains:
            self._chain(owner, chain, at, s, o)
        for value, restriction in plan.has_value:
            if value == o:
                derive(s, TYPE, restriction)
        for restriction, filler in plan.some_values:
            if filler == THING or st.has(o, TYPE, filler):
                derive(s, TYPE, restriction)
        for restriction, filler in plan.all_values:
            if st.has(s, TYPE, restriction):
                derive(o, TYPE, filler)
        for restriction in plan.max_one:
            if st.has(s, TYPE, restriction):
                self._same_values(s, p, o, THING)
        for restriction, cls in plan.max_one_of:
            if st.has(s, TYPE, restriction) and (cls == THING or st.has(o, TYPE, cls)):
                self._same_values(s, p, o, cls)

    def _same_values(self, u: int, p: int, y1: int, cls: int) -> None:
        """cls-maxc2 / cls-maxqc3-4: u's values for p (of class `cls`) are all the same."""
        st = self.store
        for y2 in list(st.objects(u, p)):
            if y2 != y1 and (cls == THING or st.has(y2, TYPE, cls)):
                self.derive(y1, SAME, y2)
                self.derive(y2, SAME, y1)

    def _chain(self, owner: int, chain: tuple, at: int, s: int, o: int) -> None:
        st = self.store
        starts = {s}
        for q in reversed(chain[:at]):
            starts = {x for y in starts for x in st.subjects(q, y)}
            if not starts:
                return
        ends = {o}
        for q in chain[at + 1:]:
            ends = {z for y in ends for z in st.objects(y, q)}
            if not ends:
                return
        for x in starts:
            for z in ends:
                self.derive(x, owner, z)

    def _class_rules(self, plan, x: int, c: int) -> None:
        st, derive = self.store, self.derive
        for d in plan.supers:
            derive(x, TYPE, d)
        for owner, members in plan.in_intersections:
            if all(m == c or st.has(x, TYPE, m) for m in members):
                derive(x, TYPE, owner)
        for m in plan.members:
            derive(x, TYPE, m)
        for owner in plan.in_unions:
            derive(x, TYPE, owner)
        for q, value in plan.has_value:
            derive(x, q, value)
        for q, filler in plan.all_values:
            for v in list(st.objects(x, q)):
                derive(v, TYPE, filler)
        for restriction, q in plan.filler_of:
            for u in list(st.subjects(q, x)):
                derive(u, TYPE, restriction)
        for q in plan.max_one:
            for y in list(st.objects(x, q)):
                self._same_values(x, q, y, THING)
        for q, cls in plan.max_one_of:
            for y in list(st.objects(x, q)):
                if cls == THING or st.has(y, TYPE, cls):
                    self._same_values(x, q, y, cls)
        for restriction, q in plan.on_class_of:
            for u in list(st.subjects(q, x)):
                if st.has(u, TYPE, restriction):
                    self._same_values(u, q, x, c)
