import { describe, expect, it } from "vitest";
import { toGraphQLError } from "../../../src/errors/to-graphql-error.js";
import { UpstreamError, type UpstreamErrorKind } from "../../../src/backends/upstream-error.js";
import { loadConfig, ConfigError } from "../../../src/config.js";

describe("toGraphQLError", () => {
  it.each([
    ["not_found", "NOT_FOUND"],
    ["validation", "VALIDATION_FAILED"],
    ["invalid_state", "INVALID_STATE"],
    ["unauthorized", "UNAUTHENTICATED"],
    ["forbidden", "FORBIDDEN"],
    ["unavailable", "UPSTREAM_UNAVAILABLE"],
    ["timeout", "UPSTREAM_TIMEOUT"],
    ["bad_response", "UPSTREAM_BAD_RESPONSE"],
    ["rate_limited", "UPSTREAM_RATE_LIMITED"],
    ["unsupported", "UNSUPPORTED_BY_BACKEND"],
  ] as [UpstreamErrorKind, string][])("maps %s to %s", (kind, code) => {
    const e = toGraphQLError(new UpstreamError("horizon", kind, "op", "secret body text", { backendCode: "REQ-002", status: 400 }));
    expect(e.extensions.code).toBe(code);
    expect(e.extensions.backend).toBe("horizon");
    expect(e.extensions.backendCode).toBe("REQ-002");
  });

  it("keeps validation messages, and never the words of an unavailable backend", () => {
    const v = toGraphQLError(new UpstreamError("czertainly", "validation", "op", "bad", { messages: ["Attribute x is required"] }));
    expect(v.extensions.messages).toEqual(["Attribute x is required"]);
    const u = toGraphQLError(new UpstreamError("czertainly", "unavailable", "op", "java.lang.NullPointerException at ..."));
    expect(u.message).not.toContain("java");
  });

  it("masks unknown errors", () => {
    const e = toGraphQLError(new TypeError("cannot read x of undefined"));
    expect(e.message).toBe("Unexpected error.");
    expect(e.extensions.code).toBe("INTERNAL_SERVER_ERROR");
  });
});

describe("loadConfig", () => {
  it("reports every bad value at once", () => {
    try {
      loadConfig({ PORT: "abc", CZERTAINLY_URL: "ftp://x", HORIZON_CREDENTIALS: "maybe" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(3);
    }
  });

  it("defaults to the embedded emulators on port 4000", () => {
    const c = loadConfig({});
    expect(c.port).toBe(4000);
    expect(c.czertainly.url).toBeUndefined();
    expect(c.embeddedEmulators).toBe(true);
  });
});

describe("response shapes", () => {
  it("accepts what the clients rely on and nothing else", async () => {
    const { matchesShape } = await import("../../../src/backends/http.js");
    expect(matchesShape({ uuid: "u", x: 1 }, { object: ["uuid"] })).toBe(true);
    expect(matchesShape({ uuid: null }, { object: ["uuid"] })).toBe(false);
    expect(matchesShape([{ a: 1 }], { object: ["uuid"] })).toBe(false);
    expect(matchesShape([{ a: 1 }, {}], { arrayOf: "object" })).toBe(true);
    expect(matchesShape([1, 2], { arrayOf: "object" })).toBe(false);
    expect(matchesShape({ results: [{ _id: "1" }] }, { objectWithArray: "results" })).toBe(true);
    expect(matchesShape({ results: "no" }, { objectWithArray: "results" })).toBe(false);
    expect(matchesShape("text", { arrayOf: "object" })).toBe(false);
  });
});
