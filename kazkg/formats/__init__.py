"""The formats kazkg reads and writes: content negotiation, RDF export, query results."""
