// Comunica's SPARQL endpoint mode against kazkg serve: each query of argv[3] (a JSON list)
// run with the endpoint as a `sparql` source, the answers printed as one JSON object.
// argv[2]: the folder holding node_modules (the tests' npm install).
const { createRequire } = require("module");
const path = require("path");
const load = createRequire(path.join(process.argv[2], "package.json"));
const { QueryEngine } = load("@comunica/query-sparql");

async function main() {
  const [, , , endpoint, queriesJson] = process.argv;
  const engine = new QueryEngine();
  const sources = [{ type: "sparql", value: endpoint }];
  const out = [];
  for (const query of JSON.parse(queriesJson)) {
    const result = await engine.query(query, { sources, httpRetryCount: 0 });
    if (result.resultType === "bindings") {
      const rows = await (await result.execute()).toArray();
      out.push(rows.map((row) => Object.fromEntries([...row].map(([v, t]) => [v.value, t.value]))));
    } else if (result.resultType === "quads") {
      const quads = await (await result.execute()).toArray();
      out.push(quads.map((q) => [q.subject.value, q.predicate.value, q.object.value]));
    } else {
      out.push(await result.execute());
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => { process.stderr.write(String(error && error.stack || error) + "\n"); process.exit(1); });
