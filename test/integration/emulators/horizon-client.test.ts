import { describe, expect, it } from "vitest";
import { startHorizonEmulator } from "../../../src/emulators/horizon/horizon.emulator.js";
import { parseHorizonError } from "../../../src/backends/horizon/client.js";

describe("Horizon client: problem+json parsing", () => {
  it("reads a single problem: code, message and detail; 400 → validation", () => {
    const p = parseHorizonError(400, {
      error: "WEBRA-ENROLL-002",
      message: "Invalid key type",
      title: "Invalid key type",
      detail: "rsa-512 not allowed",
    });
    expect(p).toEqual({ backendCode: "WEBRA-ENROLL-002", messages: ["Invalid key type", "rsa-512 not allowed"], kind: "validation" });
  });
  it("reads an array of problems (first code wins, all messages kept); state codes → invalid_state", () => {
    const p = parseHorizonError(400, [
      { error: "REQ-004", message: "Invalid Request status", title: "x" },
      { error: "REQ-002", message: "Invalid Request", title: "y" },
    ]);
    expect(p).toEqual({ backendCode: "REQ-004", messages: ["Invalid Request status", "Invalid Request"], kind: "invalid_state" });
  });
  it("leaves 404/401 kinds to the status and tolerates non-problem bodies", () => {
    expect(parseHorizonError(404, { error: "REQ-003", message: "Request not found", title: "Request not found" }).kind).toBeUndefined();
    expect(parseHorizonError(500, "oops")).toEqual({});
    expect(parseHorizonError(502, undefined)).toEqual({});
  });
});

describe("Horizon emulator: startup", () => {
  // How fast it starts is a benchmark's business, not a test's (no wall-clock bound on a shared machine).
  it("starts with the demo seed", async () => {
    const hz = await startHorizonEmulator({ port: 0 });
    await hz.close();
    expect(hz.state.certificates.size).toBe(30);
  });
  it("seed none starts empty but with profiles and accounts", async () => {
    const hz = await startHorizonEmulator({ port: 0, seed: "none" });
    await hz.close();
    expect(hz.state.certificates.size).toBe(0);
    expect(hz.state.profiles.has("auto-profile")).toBe(true);
    expect(hz.accounts.admin.apiId).toBe("admin");
  });
});
