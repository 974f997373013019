import type { IncomingMessage } from "node:http";

/** The body is over the limit (by Content-Length or while reading): HTTP 413. */
export class BodyTooLarge extends Error {}

/**
 * Reads a request body of at most `limit` bytes, for /graphql and /graphql/stream alike. Over the limit
 * (declared or while reading a chunked body) it stops collecting and drains the rest, so the socket can
 * still carry the 413 answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    req.once("error", reject);
    // A client that hangs up mid-body may only close the stream: answer as an aborted request.
    req.once("close", () => {
      if (!req.complete) reject(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    });
    req.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}
