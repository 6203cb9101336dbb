// What the benchmark compares before it times anything: the objects (kind and name) of a
// multi-document YAML file, read line by line, fast enough for the 35 MB of N = 1,000.

/** `Kind/name` of every document of block-style YAML (as cdk8s and `helm template` write it), sorted. */
export function objectKeys(yamlText: string): string[] {
  const keys: string[] = [];
  for (const doc of yamlText.split(/^---[^\n]*\n/m)) {
    const kind = /^kind: *(.+)$/m.exec(doc)?.[1];
    const metadata = /^metadata:\n((?: .*\n?)*)/m.exec(doc)?.[1];
    const name = metadata ? /^  name: *(.+)$/m.exec(metadata)?.[1] : undefined;
    if (kind === undefined && name === undefined) continue; // an empty document, or only comments
    keys.push(`${unquote(kind ?? '')}/${unquote(name ?? '')}`);
  }
  return keys.sort();
}

/** What is in one list and not the other, each as at most `max` keys. */
export function keyDifference(ours: string[], theirs: string[], max = 10): { onlyOurs: string[]; onlyTheirs: string[] } {
  const a = new Set(ours);
  const b = new Set(theirs);
  return { onlyOurs: ours.filter(k => !b.has(k)).slice(0, max), onlyTheirs: theirs.filter(k => !a.has(k)).slice(0, max) };
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}
