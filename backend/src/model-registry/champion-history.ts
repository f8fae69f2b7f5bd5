/** A `champion` arrival in the history: the version it moved to, and whether a rollback moved it. */
export interface ChampionArrival {
  toVersionId: string;
  rollback: boolean;
}

/**
 * The version a rollback restores, given the champion's arrivals oldest first and its current holder.
 * The arrivals form a stack: a promotion pushes its version, a rollback pops the version it rolled away
 * from. Rolling back pops the current holder, so after v1→v2→v3 two rollbacks give v2 then v1, never v3
 * again; promoting v3 afterwards pushes it anew. Versions equal to the current holder are skipped (a
 * version promoted twice in a row), as are those `exists` rejects. Undefined when nothing is left.
 */
export function rollbackTarget(
  arrivals: readonly ChampionArrival[],
  currentId: string,
  exists: (versionId: string) => boolean = () => true,
): string | undefined {
  const stack: string[] = [];
  for (const arrival of arrivals) {
    if (arrival.rollback) {
      // The rollback restored an entry below the top: pop down to it (or start afresh if the window lost it).
      const at = stack.lastIndexOf(arrival.toVersionId);
      if (at >= 0) stack.length = at + 1;
      else stack.splice(0, stack.length, arrival.toVersionId);
    } else stack.push(arrival.toVersionId);
  }
  if (stack.at(-1) !== currentId) stack.push(currentId);
  for (let i = stack.length - 2; i >= 0; i--) {
    const candidate = stack[i]!;
    if (candidate !== currentId && exists(candidate)) return candidate;
  }
  return undefined;
}
