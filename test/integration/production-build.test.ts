/**
 * The production path: `npm run build` (tsconfig.build.json) into a temporary folder inside the repo (so Node
 * finds package.json's "type": "module" and node_modules as it does for dist/), then the entry point of
 * `npm run start:prod` run by plain `node` — no tsx, no vitest aliases — on port 0, answering over real HTTP.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

let outDir: string;
let child: ChildProcess | undefined;
let exited: Promise<number | null> | undefined;
let base: string;
const output: string[] = [];

/** Starts `node <entry>` and resolves with the gateway URL from its "listening" log line (or rejects on exit). */
function startBuiltGateway(entry: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
  for (const name of [
    "CZERTAINLY_URL",
    "HORIZON_URL",
    "EMBEDDED_EMULATORS",
    "NODE_ENV",
    "NODE_OPTIONS",
    "VITEST",
    "VITEST_POOL_ID",
    "VITEST_WORKER_ID",
  ])
    delete env[name];
  const proc = spawn(process.execPath, [entry], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child = proc;
  exited = new Promise(done => proc.once("exit", code => done(code)));
  proc.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  return new Promise((resolveUrl, reject) => {
    createInterface({ input: proc.stdout! }).on("line", line => {
      output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; graphql?: string };
        if (entry.msg === "PKI Graph gateway listening" && entry.graphql) resolveUrl(entry.graphql);
      } catch {
        // not a log line
      }
    });
    void exited!.then(code => reject(new Error(`the built gateway exited (${code}) before listening:\n${output.join("\n")}`)));
  });
}

describe("production build: npm run build, then plain node", () => {
  beforeAll(async () => {
    outDir = mkdtempSync(join(ROOT, ".test-build-"));
    // `npm run build -- --outDir X` is the build script with the output folder moved; tsc fails on any type error.
    await new Promise<void>((done, fail) =>
      execFile("npm", ["run", "build", "--", "--outDir", outDir], { cwd: ROOT }, (error, stdout, stderr) =>
        error ? fail(new Error(`npm run build failed:\n${stdout}\n${stderr}`)) : done(),
      ),
    );
    const main = /^node dist\/(\S+)$/.exec(pkg.scripts["start:prod"] ?? "")?.[1];
    expect(main, 'start:prod is "node dist/<entry>"').toBeTruthy();
    base = (await startBuiltGateway(join(outDir, main!))).replace(/\/graphql$/, "");
  }, 240_000);

  // Stopping is checked here, after every test (the order of the tests may be shuffled): SIGTERM drains and exits 0.
  // The guard only turns a hang into a clear failure (and no orphan process): the drain itself takes well under a second.
  afterAll(async () => {
    try {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const guard = setTimeout(() => child!.kill("SIGKILL"), 45_000);
        const code = await exited;
        clearTimeout(guard);
        expect(code, "exit status after SIGTERM (null: it hung and was killed)").toBe(0);
      }
    } finally {
      if (outDir) rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("emits the gateway only: src and resolvers, no tests, no bench", () => {
    expect(existsSync(join(outDir, "src/main.js"))).toBe(true);
    expect(existsSync(join(outDir, "resolvers/index.js"))).toBe(true);
    expect(existsSync(join(outDir, "src/emulators/embedded.js"))).toBe(true);
    expect(existsSync(join(outDir, "test"))).toBe(false);
    expect(existsSync(join(outDir, "bench"))).toBe(false);
    expect(existsSync(join(outDir, "vitest.config.js"))).toBe(false);
  });

  it("serves the graph over both embedded emulators", async () => {
    const res = await request(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: "{ backends { backend reachable } certificates(first: 50) { totalCount edges { node { backend subject { commonName } } } } }",
      }),
    });
    expect(res.statusCode).toBe(200);
    const body = (await res.body.json()) as {
      data: { backends: unknown; certificates: { totalCount: number; edges: { node: { backend: string } }[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data.backends).toEqual([
      { backend: "CZERTAINLY", reachable: true },
      { backend: "HORIZON", reachable: true },
    ]);
    expect(body.data.certificates.totalCount).toBeGreaterThan(0);
    expect(new Set(body.data.certificates.edges.map(e => e.node.backend))).toEqual(new Set(["CZERTAINLY", "HORIZON"]));
  });

  it("maps errors to typed codes (one graphql realm: the gateway's GraphQLErrors are the ones Apollo knows)", async () => {
    const res = await request(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ certificate(id: "not-an-id") { id } }' }),
    });
    const body = (await res.body.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(body)).not.toMatch(/stack|\.ts:|\.js:\d/);
  });

  it("serves GraphiQL's assets from node_modules", async () => {
    for (const asset of ["react.js", "graphiql.js", "graphiql.css"]) {
      const res = await request(`${base}/graphiql/${asset}`);
      expect(res.statusCode).toBe(200);
      expect((await res.body.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});
