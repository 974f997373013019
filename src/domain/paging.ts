/** A window [offset, offset+size) read from a backend whose API pages by number. */
export interface Window<T> {
  items: T[];
  /** Total matching items, when the backend reports it. */
  total?: number;
  /** Whether items exist past the window. */
  hasMore: boolean;
}

/** Reads one page of a 1-based page-numbered API. */
export type PageReader<T> = (pageNumber: number, pageSize: number) => Promise<{ items: T[]; total?: number; hasMore?: boolean }>;

/**
 * Reads an arbitrary offset window from a page-numbered API: one call when the offset falls on a page
 * boundary for this size (the usual case when clients keep `first` constant), else two.
 */
export async function readWindow<T>(read: PageReader<T>, offset: number, size: number): Promise<Window<T>> {
  const page = Math.floor(offset / size) + 1;
  const skip = offset % size;
  const first = await read(page, size);
  let items = first.items;
  let total = first.total;
  let hasMore = first.hasMore ?? (total !== undefined ? page * size < total : first.items.length === size);
  if (skip > 0 && hasMore) {
    const second = await read(page + 1, size);
    items = items.concat(second.items);
    total = second.total ?? total;
    hasMore = second.hasMore ?? (total !== undefined ? (page + 1) * size < total : second.items.length === size);
  }
  const windowItems = items.slice(skip, skip + size);
  const consumedAll = skip + size >= items.length;
  return { items: windowItems, total, hasMore: consumedAll ? hasMore : true };
}

/** Cursor = the position of the next item, opaque to clients. */
export interface Position {
  backend: string;
  offset: number;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.backend, p.offset]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Position | undefined {
  try {
    const [backend, offset] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof backend === "string" && Number.isSafeInteger(offset) && (offset as number) >= 0) {
      return { backend, offset: offset as number };
    }
  } catch {
    // fall through: not a cursor of ours
  }
  return undefined;
}
