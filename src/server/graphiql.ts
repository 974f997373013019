import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * GraphiQL served from the installed npm packages, never a CDN: PKI networks are often air-gapped.
 * Assets are read once and kept in memory.
 */
const ASSETS: Record<string, { file: string; type: string }> = {
  "/graphiql/react.js": { file: "react/umd/react.production.min.js", type: "application/javascript" },
  "/graphiql/react-dom.js": { file: "react-dom/umd/react-dom.production.min.js", type: "application/javascript" },
  "/graphiql/graphiql.js": { file: "graphiql/graphiql.min.js", type: "application/javascript" },
  "/graphiql/graphiql.css": { file: "graphiql/graphiql.min.css", type: "text/css" },
};

const cache = new Map<string, Buffer>();

/** Returns the asset for a path under /graphiql/, or undefined. */
export function graphiqlAsset(path: string): { body: Buffer; type: string } | undefined {
  const asset = ASSETS[path];
  if (!asset) return undefined;
  let body = cache.get(path);
  if (!body) {
    // Resolve through package.json: react's "exports" map hides its umd/ folder from require.resolve.
    const [pkg, ...rest] = asset.file.split("/");
    body = readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), ...rest));
    cache.set(path, body);
  }
  return { body, type: asset.type };
}

const DEFAULT_QUERY = `# Welcome to PKI Graph: one graph over CZERTAINLY Core and EVERTRUST Horizon.
# Try: certificates from both backends, decoded from the X.509 itself.
query FirstPage {
  certificates(first: 5) {
    totalCount
    edges {
      node {
        id
        backend
        state
        subject { commonName dn }
        notAfter
        serialNumber
      }
    }
  }
}
`;

/** The GraphiQL HTML page; subscriptions go over graphql-ws on the same path. */
export function graphiqlHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>PKI Graph · GraphiQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1" />
<link rel="stylesheet" href="/graphiql/graphiql.css" />
<style>html,body,#graphiql{height:100%;margin:0;}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script>
  const http = new URL("/graphql", location.href).href;
  const ws = http.replace(/^http/, "ws");
  const fetcher = GraphiQL.createFetcher({ url: http, subscriptionUrl: ws, headers: { "apollo-require-preflight": "true" } });
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(DEFAULT_QUERY)}, shouldPersistHeaders: false })
  );
</script>
</body>
</html>`;
}
