import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { FaultPlan, RecordedRequest } from "../src/emulators/http-kit.js";

/** An emulator in another process, seen through its control routes (request log, faults). */
export interface RemoteEmulator {
  url: string;
  requests(): Promise<RecordedRequest[]>;
  clearLog(): Promise<void>;
  setFaults(patch: Partial<FaultPlan>): Promise<void>;
}

export function remoteEmulator(url: string): RemoteEmulator {
  return {
    url,
    async requests() {
      return (await (await fetch(`${url}/__emulator/requests`)).json()) as RecordedRequest[];
    },
    async clearLog() {
      await fetch(`${url}/__emulator/requests`, { method: "DELETE" });
    },
    async setFaults(patch) {
      await fetch(`${url}/__emulator/faults`, { method: "PUT", body: JSON.stringify(patch) });
    },
  };
}

export interface EmulatorsProcess {
  cz: RemoteEmulator;
  hz: RemoteEmulator;
  horizonAdmin: { apiId: string; apiKey: string };
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts bench/emulators-process.ts and waits for the line that says where the emulators listen. */
export async function startEmulatorsProcess(): Promise<EmulatorsProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/emulators-process.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", resolve);
    child.once("exit", code => reject(new Error(`emulators exited with ${code}`)));
  });
  const info = JSON.parse(line) as { czertainly: string; horizon: string; horizonAdmin: { apiId: string; apiKey: string } };
  return {
    cz: remoteEmulator(info.czertainly),
    hz: remoteEmulator(info.horizon),
    horizonAdmin: info.horizonAdmin,
    child,
    stop: () =>
      new Promise(resolve => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
