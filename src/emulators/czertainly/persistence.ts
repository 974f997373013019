import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { ExportedCa } from "../ca.js";
import type { CzertainlyState, EmulatedEndEntity, EmulatedKey, StoredCertificate } from "./model.js";

/** What a data file keeps: the CA (so stored certificates still verify) and everything operations change. */
interface DataFile {
  version: 1;
  ca: ExportedCa;
  certificates: StoredCertificate[];
  keys: EmulatedKey[];
  endEntities: EmulatedEndEntity[];
  enabledProfiles: Record<string, boolean>;
}

export function readDataFile(path: string): DataFile | undefined {
  if (!existsSync(path)) return undefined;
  const data = JSON.parse(readFileSync(path, "utf8")) as DataFile;
  if (data.version !== 1) throw new Error(`${path}: unknown emulator data file version ${String(data.version)}`);
  return data;
}

export function applyDataFile(state: CzertainlyState, data: DataFile): void {
  state.certificates = new Map(data.certificates.map(c => [c.uuid, c]));
  state.keys = new Map(data.keys.map(k => [k.uuid, k]));
  state.endEntities = data.endEntities;
  for (const [uuid, enabled] of Object.entries(data.enabledProfiles)) {
    const p = state.raProfiles.get(uuid);
    if (p) p.enabled = enabled;
  }
}

/** Writes the file atomically (temp file + rename), so a crash never leaves half a file. */
export function writeDataFile(path: string, state: CzertainlyState, ca: ExportedCa): void {
  const data: DataFile = {
    version: 1,
    ca,
    certificates: [...state.certificates.values()],
    keys: [...state.keys.values()],
    endEntities: state.endEntities,
    enabledProfiles: Object.fromEntries([...state.raProfiles.values()].map(p => [p.uuid, p.enabled])),
  };
  writeFileSync(`${path}.tmp`, JSON.stringify(data));
  renameSync(`${path}.tmp`, path);
}
