/**
 * A small Dockerfile reader for the offline checks (no Docker engine on these machines): instructions
 * with their flags and arguments, grouped by build stage. Handles line continuations, comment lines
 * inside continuations, JSON (exec) and shell forms. Enough for the project's own Dockerfiles.
 */
export interface Instruction {
  keyword: string;
  /** Leading --name=value flags (--from, --chown, --chmod, --mount, --interval, …); repeated ones keep the last. */
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined with a space). */
  args: string;
  /** The arguments split into words: the JSON array when in exec form, else split on whitespace. */
  words: string[];
  /** Whether the arguments were a JSON array (exec form). */
  json: boolean;
  line: number;
}

export interface Stage {
  index: number;
  /** The FROM image (or stage name). */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Parser directives at the top (# syntax=…). */
  directives: Record<string, string>;
  stages: Stage[];
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(args);
    if (!m) break;
    flags[m[1]!] = m[2] ?? 'true';
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

export function parseDockerfile(text: string): Dockerfile {
  const directives: Record<string, string> = {};
  const lines = text.split('\n');
  let i = 0;
  // Parser directives: only at the very top, before any other comment, blank line or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(lines[i]!);
    if (!m) break;
    directives[m[1]!.toLowerCase()] = m[2]!;
  }
  const stages: Stage[] = [];
  for (; i < lines.length; i++) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i + 1;
    let logical = first;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      logical = logical.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i]!)) continue; // comment lines inside a continuation are dropped
      logical += lines[i]!;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(logical);
    if (!m) throw new Error(`line ${start}: cannot read "${logical}"`);
    const keyword = m[1]!.toUpperCase();
    const { flags, args } = ['FROM', 'COPY', 'ADD', 'RUN', 'HEALTHCHECK'].includes(keyword)
      ? splitFlags(m[2]!)
      : { flags: {}, args: m[2]!.trim() };
    let json = false;
    let words = args.split(/\s+/).filter(Boolean);
    const jsonPart = keyword === 'HEALTHCHECK' ? args.replace(/^CMD\s+/, '') : args;
    if (jsonPart.startsWith('[')) {
      try {
        words = JSON.parse(jsonPart) as string[];
        if (keyword === 'HEALTHCHECK') words = ['CMD', ...words];
        json = true;
      } catch {
        // shell form that happens to start with [
      }
    }
    const instruction: Instruction = { keyword, flags, args, words, json, line: start };
    if (keyword === 'FROM') {
      const [image, as, name] = words;
      stages.push({
        index: stages.length,
        from: image!,
        ...(as?.toUpperCase() === 'AS' && name ? { name } : {}),
        instructions: [instruction],
      });
    } else {
      if (stages.length === 0) throw new Error(`line ${start}: ${keyword} before FROM`);
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  return { directives, stages };
}

/** The sources of a COPY or ADD (every word but the destination). */
export function copySources(instruction: Instruction): string[] {
  return instruction.words.slice(0, -1);
}

/** Every instruction of a stage with the given keyword. */
export function all(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The last instruction of a stage with the given keyword (USER, CMD, ENTRYPOINT: the last one wins). */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return all(stage, keyword).at(-1);
}

/**
 * A .dockerignore matcher (the Go filepath.Match rules Docker uses: patterns anchored at the context root,
 * `**` for any number of directories, `!` re-includes). A path is ignored when it or one of its parent
 * directories matches.
 */
export function dockerignore(text: string): (relativePath: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      const regex = pattern
        .split('/')
        .map((part) =>
          part === '**'
            ? '(?:.*)'
            : part
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${regex}$`) };
    });
  const matches = (p: string): boolean => {
    let ignored = false;
    for (const rule of rules) if (rule.re.test(p)) ignored = !rule.negate;
    return ignored;
  };
  return (relativePath: string) => {
    const parts = relativePath.replace(/^\.\/|\/$/g, '').split('/');
    for (let n = 1; n <= parts.length; n++) if (matches(parts.slice(0, n).join('/'))) return true;
    return false;
  };
}

/** An image reference pinned to a release: an explicit version tag (never `latest`, never no tag) or a digest. */
export function isPinned(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const tag = /:([^/:]+)$/.exec(ref)?.[1];
  if (!tag || tag === 'latest') return false;
  // 1.2… or v1.2… (Prometheus' tags), or MinIO's RELEASE.<date> tags
  return /^v?\d+\.\d+/.test(tag) || /^RELEASE\.\d{4}-\d{2}-\d{2}T/.test(tag);
}
