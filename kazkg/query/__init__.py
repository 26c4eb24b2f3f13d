"""Run SPARQL: prepare and guard a query, evaluate it on an engine, in killable workers."""
