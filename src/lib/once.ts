/** Memoises an async thunk for the life of its owner (one operation's loaders). A failure is not cached. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch(error => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
