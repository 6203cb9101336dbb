/**
 * Alert annotations (and labels) as Prometheus expands them: Go's text/template, with the
 * functions of Prometheus' template reference and the variables an alerting rule's template has.
 *
 * Prometheus parses every template of a rule file when it loads it (model/rulefmt/rulefmt.go,
 * `testTemplateParsing`): one unknown function or undefined variable and the whole rule file is
 * refused. The template is the annotation with these definitions before it (rules/alerting.go):
 * `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`,
 * and its data has the fields Labels, ExternalLabels, ExternalURL and Value (template/template.go,
 * `AlertTemplateData`). The functions are Go's builtins (text/template `builtins`) and those of
 * template/template.go (https://prometheus.io/docs/prometheus/latest/configuration/template_reference/).
 *
 * The lexer and parser below follow Go's text/template/parse (lex.go, parse.go) closely enough
 * to find what its parser refuses: unclosed actions, strings and comments, misplaced keywords,
 * {{if}}/{{range}}/{{with}}/{{define}}/{{block}} without {{end}}, an empty command, a pipeline
 * stage that is not a call, functions and variables that are not defined; and, which Go only
 * finds when the alert fires, a field the rule's data does not have (`.Lables`) and a template
 * that is not defined.
 */

/** Go's text/template builtins (text/template/funcs.go). */
export const GO_TEMPLATE_BUILTINS: readonly string[] = [
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
];

/** Prometheus' template functions (template/template.go, the reference linked above). */
export const PROMETHEUS_TEMPLATE_FUNCTIONS: readonly string[] = [
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower',
  'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL', 'parseDuration',
  'urlQueryEscape',
];

/** The variables Prometheus defines before an alert template. */
export const ALERT_TEMPLATE_VARIABLES: readonly string[] = ['$labels', '$externalLabels', '$externalURL', '$value'];

/** The fields of the data an alert template runs on (`.Labels`, ...). */
const DATA_FIELDS = ['Labels', 'ExternalLabels', 'ExternalURL', 'Value'];

const FUNCTIONS = new Set([...GO_TEMPLATE_BUILTINS, ...PROMETHEUS_TEMPLATE_FUNCTIONS]);
const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);
const REFERENCE = 'https://prometheus.io/docs/prometheus/latest/configuration/template_reference/';

/** What Go's template parser (or its execution) refuses in a template, and the fix. */
export interface TemplateProblem {
  readonly message: string;
  readonly hint?: string;
  /** `load`: Prometheus refuses the rule file; `expand`: the alert shows `<error expanding template: ...>` instead of the text. */
  readonly when: 'load' | 'expand';
}

type Kind = 'space' | 'ident' | 'keyword' | 'field' | 'var' | 'dot' | 'string' | 'char' | 'number' | 'bool'
  | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma';

interface Token {
  readonly kind: Kind;
  readonly text: string;
}

class Refused extends Error {
  constructor(readonly problem: TemplateProblem) {
    super(problem.message);
  }
}

const refuse = (message: string, hint?: string, when: TemplateProblem['when'] = 'load'): never => {
  throw new Refused({ message, ...(hint ? { hint } : {}), when });
};

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

/**
 * The actions of a template, each as its tokens, or a problem where Go's lexer stops. Comments
 * are dropped. `at` is the offset of the action's `{{`.
 */
function lex(text: string): Array<{ at: number; tokens: Token[] }> {
  const actions: Array<{ at: number; tokens: Token[] }> = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) return actions;
    i = open + 2;
    // a left trim marker is '-' and a space: `{{- 3}}`; `{{-3}}` is the number -3
    if (text[i] === '-' && isSpace(text[i + 1])) i += 2;
    // comments: {{/* ... */}}, nothing else in the action
    let j = i;
    while (isSpace(text[j])) j++;
    if (text.startsWith('/*', j)) {
      const end = text.indexOf('*/', j + 2);
      if (end < 0) refuse(`the comment at character ${j + 1} is not closed`, 'close it with */}}');
      let k = end + 2;
      if (isSpace(text[k]) && text[k + 1] === '-') k += 2;
      while (isSpace(text[k])) k++;
      if (!text.startsWith('}}', k)) refuse(`the comment at character ${j + 1} ends before the closing '}}'`, 'write comments as {{/* ... */}}');
      i = k + 2;
      continue;
    }
    const tokens: Token[] = [];
    let depth = 0;
    for (;;) {
      if (i >= text.length) refuse(`the action at character ${open + 1} has a '{{' without its '}}'`, 'write actions as {{ $value }}');
      const c = text[i];
      if (text.startsWith('}}', i) || (isSpace(c) && text[i + 1] === '-' && text.startsWith('}}', i + 2))) {
        if (depth > 0) refuse(`unclosed left paren in the action at character ${open + 1}`, 'close every ( with a )');
        i = text.indexOf('}}', i) + 2;
        break;
      }
      if (isSpace(c)) {
        let k = i;
        while (isSpace(text[k]) && !(text[k + 1] === '-' && text.startsWith('}}', k + 2))) k++;
        if (k === i) k++;
        tokens.push({ kind: 'space', text: text.slice(i, k) });
        i = k;
      } else if (c === ':' && text[i + 1] === '=') {
        tokens.push({ kind: 'declare', text: ':=' });
        i += 2;
      } else if (c === '=') {
        tokens.push({ kind: 'assign', text: '=' });
        i++;
      } else if (c === '|' || c === ',') {
        tokens.push({ kind: c === '|' ? 'pipe' : 'comma', text: c });
        i++;
      } else if (c === '(' || c === ')') {
        depth += c === '(' ? 1 : -1;
        if (depth < 0) refuse(`unexpected right paren in the action at character ${open + 1}`, 'every ) closes a (');
        tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', text: c });
        i++;
      } else if (c === '"') {
        const m = /^"(?:[^"\\\n]|\\.)*"/.exec(text.slice(i));
        if (!m) refuse(`unterminated quoted string in the action at character ${open + 1}`, 'close the string with "');
        if (!goQuotedValid(m![0])) refuse(`the string ${m![0]} has an escape Go does not know`, 'Go strings know \\n \\t \\\\ \\" \\x.. \\u....; for a backslash write \\\\, or quote with backticks');
        tokens.push({ kind: 'string', text: m![0] });
        i += m![0].length;
      } else if (c === '`') {
        const end = text.indexOf('`', i + 1);
        if (end < 0) refuse(`unterminated raw quoted string in the action at character ${open + 1}`, 'close it with `');
        tokens.push({ kind: 'string', text: text.slice(i, end + 1) });
        i = end + 1;
      } else if (c === "'") {
        const m = /^'(?:[^'\\\n]|\\[^\n]+?)'/.exec(text.slice(i));
        if (!m) refuse(`unterminated character constant in the action at character ${open + 1}`, "a character is written 'a'; a string is written \"text\"");
        tokens.push({ kind: 'char', text: m![0] });
        i += m![0].length;
      } else if (c === '$') {
        let k = i + 1;
        while (isAlnum(text[k])) k++;
        tokens.push({ kind: 'var', text: text.slice(i, k) });
        i = k;
        terminator(text, i, open);
      } else if (c === '.' && !/[0-9]/.test(text[i + 1] ?? '')) {
        let k = i + 1;
        while (isAlnum(text[k])) k++;
        tokens.push(k === i + 1 ? { kind: 'dot', text: '.' } : { kind: 'field', text: text.slice(i, k) });
        i = k;
        terminator(text, i, open);
      } else if (c === '+' || c === '-' || c === '.' || /[0-9]/.test(c)) {
        const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/.exec(text.slice(i))!;
        if (!/[0-9]/.test(m[0]) || isAlnum(text[i + m[0].length])) {
          refuse(`bad number syntax: ${text.slice(i, i + m[0].length + 1)} in the action at character ${open + 1}`, 'a number is written 3, 1.5 or 1e3; a duration as a string: parseDuration "5m"');
        }
        tokens.push({ kind: 'number', text: m[0] });
        i += m[0].length;
      } else if (isAlnum(c)) {
        let k = i;
        while (isAlnum(text[k])) k++;
        const word = text.slice(i, k);
        tokens.push({ kind: word === 'true' || word === 'false' ? 'bool' : KEYWORDS.has(word) ? 'keyword' : 'ident', text: word });
        i = k;
        terminator(text, i, open);
      } else {
        refuse(`unexpected ${JSON.stringify(c)} in the action at character ${open + 1}`, c === '['
          ? 'Go templates have no [...]: write {{ index $labels "name" }} or {{ $labels.name }}'
          : 'an action holds a pipeline such as {{ $value | humanize }}');
      }
    }
    actions.push({ at: open, tokens });
  }
}

/** Go's lexer wants a word, variable or field to end at a space, '.', ',', '|', ':', '(', ')' or the end of the action. */
function terminator(text: string, i: number, open: number): void {
  const c = text[i];
  if (c === undefined || isSpace(c) || '.,|:()'.includes(c) || text.startsWith('}}', i)) return;
  refuse(`bad character ${JSON.stringify(c)} in the action at character ${open + 1}`, c === '['
    ? 'Go templates have no [...]: write {{ index $labels "name" }} or {{ $labels.name }}'
    : 'an action holds a pipeline such as {{ $value | humanize }}');
}

/** Whether a double-quoted Go string has only the escapes Go knows. */
function goQuotedValid(s: string): boolean {
  return !/\\(?![abfnrtv\\"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})/.test(s.replace(/\\\\/g, ''));
}

/** The names closest to `name` (edit distance at most 2), for a "did you mean". */
function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length];
}

interface Block {
  readonly keyword: 'if' | 'with' | 'range' | 'define' | 'block';
  readonly at: number;
  /** How many variables were in scope when it opened. */
  readonly vars: number;
  /** The variables before it opened (define and block start afresh with `$`). */
  readonly outer?: string[];
}

/**
 * Where Prometheus refuses an alert template, or undefined when it expands: see the file comment.
 */
export function alertTemplateProblem(text: string): TemplateProblem | undefined {
  try {
    check(text);
    return undefined;
  } catch (e) {
    if (e instanceof Refused) return e.problem;
    throw e;
  }
}

function check(text: string): void {
  const actions = lex(text);
  let vars: string[] = ['$', ...ALERT_TEMPLATE_VARIABLES];
  const blocks: Block[] = [];
  const defined = new Set<string>();
  const used: string[] = [];
  // dot is the rule's data outside {{range}}, {{with}}, {{define}} and {{block}}
  const dotIsData = () => !blocks.some(b => b.keyword !== 'if');
  const inDefinition = () => blocks.some(b => b.keyword === 'define' || b.keyword === 'block');

  const variable = (name: string): void => {
    if (vars.includes(name)) return;
    const guess = closest(name, vars.filter(v => v !== '$'));
    refuse(`undefined variable ${name}`, `${guess ? `did you mean ${guess}? ` : ''}an alert template has ${ALERT_TEMPLATE_VARIABLES.join(', ')} and the variables it declares with := before using them`);
  };
  const field = (name: string, onData: boolean): void => {
    if (!onData || DATA_FIELDS.includes(name)) return;
    const guess = closest(name, DATA_FIELDS);
    refuse(`can't evaluate field ${name}: the data of an alert template has the fields ${DATA_FIELDS.map(f => `.${f}`).join(', ')}`,
      `${guess ? `did you mean .${guess}? ` : ''}a label is .Labels.<name> or $labels.<name>`, 'expand');
  };
  const func = (name: string): void => {
    if (FUNCTIONS.has(name)) return;
    const guess = closest(name, FUNCTIONS);
    refuse(`function ${name} not defined`, `${guess ? `did you mean ${guess}? ` : ''}Prometheus' alert templates have Go's builtins (${GO_TEMPLATE_BUILTINS.join(', ')}) and the functions of ${REFERENCE}`);
  };

  /** One operand: a term and the fields chained on it; returns the index after it. */
  const operand = (t: Token[], i: number): number => {
    const tok = t[i];
    switch (tok.kind) {
      case 'ident':
        func(tok.text);
        break;
      case 'var':
        variable(tok.text);
        if (tok.text === '$' && t[i + 1]?.kind === 'field' && !inDefinition()) field(t[i + 1].text.slice(1), true);
        break;
      case 'field':
        field(tok.text.slice(1), dotIsData());
        break;
      case 'lparen': {
        let depth = 0;
        let k = i;
        for (; k < t.length; k++) {
          if (t[k].kind === 'lparen') depth++;
          else if (t[k].kind === 'rparen' && --depth === 0) break;
        }
        pipeline(t.slice(i + 1, k), 'parenthesized pipeline', false);
        i = k;
        break;
      }
      case 'keyword':
        if (tok.text !== 'nil') refuse(`unexpected <${tok.text}> in command`, `{{${tok.text}}} must start its own action`);
        break;
      case 'dot': case 'string': case 'char': case 'number': case 'bool':
        break;
      default:
        refuse(`unexpected ${JSON.stringify(tok.text)} in operand`, 'an action holds a pipeline such as {{ $value | humanize }}');
    }
    i++;
    while (t[i]?.kind === 'field') i++;
    return i;
  };

  /** Operands split by spaces: one command of a pipeline. */
  const command = (t: Token[], stage: number, context: string): void => {
    const parts = t.filter(x => x.kind !== 'space');
    if (parts.length === 0) refuse(`missing value for ${context}`, 'an action holds a pipeline such as {{ $value | humanize }}');
    if (parts.length === 1 && parts[0].kind === 'keyword' && parts[0].text === 'nil') refuse('nil is not a command', 'an action holds a value or a call, such as {{ $value }}', 'expand');
    if (stage > 0 && (['dot', 'string', 'char', 'number', 'bool'].includes(parts[0].kind) || parts[0].text === 'nil')) {
      refuse(`non executable command in pipeline stage ${stage + 1}`, `each stage after a | is a function call, such as {{ $value | printf "%.2f" }}`);
    }
    let i = 0;
    while (i < t.length) {
      if (t[i].kind === 'space') {
        i++;
        continue;
      }
      const next = operand(t, i);
      if (next < t.length && t[next].kind !== 'space' && t[next].kind !== 'rparen') {
        refuse(`unexpected ${JSON.stringify(t[next].text)} in operand`, 'separate the arguments with spaces');
      }
      i = next;
    }
  };

  /** A pipeline: an optional declaration, then commands joined by |. */
  const pipeline = (t: Token[], context: string, declare: boolean, range = false): void => {
    let rest = t;
    const words = t.filter(x => x.kind !== 'space');
    if (declare && words[0]?.kind === 'var') {
      const second = words[1];
      const two = range && second?.kind === 'comma' && words[2]?.kind === 'var' && (words[3]?.kind === 'declare' || words[3]?.kind === 'assign');
      const one = second?.kind === 'declare' || second?.kind === 'assign';
      if (one || two) {
        const names = two ? [words[0].text, words[2].text] : [words[0].text];
        const op = two ? words[3] : second!;
        if (op.kind === 'assign') names.forEach(variable);
        else vars = [...vars, ...names];
        rest = t.slice(t.indexOf(op) + 1);
      } else if (second?.kind === 'comma') {
        refuse(range ? 'too many declarations in range' : `unexpected "," in ${context}`, 'declare with {{ $name := ... }}');
      }
    }
    const stages: Token[][] = [[]];
    let depth = 0;
    for (const x of rest) {
      if (x.kind === 'lparen') depth++;
      if (x.kind === 'rparen') depth--;
      if (x.kind === 'pipe' && depth === 0) stages.push([]);
      else stages[stages.length - 1].push(x);
    }
    if (stages.length === 1 && stages[0].every(x => x.kind === 'space')) refuse(`missing value for ${context}`, `write {{${context === 'command' ? ' $value ' : `${context} $value`}}}`);
    stages.forEach((s, n) => command(s, n, context));
  };

  for (const { at, tokens } of actions) {
    const words = tokens.filter(x => x.kind !== 'space');
    const first = words[0];
    const after = tokens.slice(tokens.indexOf(first) + 1);
    if (!first) refuse(`missing value for command in the action at character ${at + 1}`, 'an action holds a pipeline such as {{ $value | humanize }}');
    if (first.kind !== 'keyword' || first.text === 'nil') {
      pipeline(tokens, 'command', true);
      continue;
    }
    switch (first.text) {
      case 'if': case 'with': case 'range':
        blocks.push({ keyword: first.text, at, vars: vars.length });
        pipeline(after, first.text, true, first.text === 'range');
        break;
      case 'else': {
        const top = blocks[blocks.length - 1];
        if (!top || !['if', 'with', 'range'].includes(top.keyword)) refuse(`unexpected {{else}} at character ${at + 1}`, 'else belongs inside {{if}}, {{with}} or {{range}}');
        const kw = words[1];
        if (kw && kw.kind === 'keyword' && (kw.text === 'if' || kw.text === 'with')) {
          pipeline(tokens.slice(tokens.indexOf(kw) + 1), kw.text, true);
        } else if (kw) {
          refuse(`unexpected ${JSON.stringify(kw.text)} in else`, 'write {{else}}, {{else if ...}} or {{else with ...}}');
        }
        break;
      }
      case 'end': {
        if (words.length > 1) refuse(`unexpected ${JSON.stringify(words[1].text)} in end`, 'write {{end}}');
        const top = blocks.pop();
        if (!top) refuse(`unexpected {{end}} at character ${at + 1}`, 'each {{end}} closes an {{if}}, {{range}}, {{with}}, {{define}} or {{block}}');
        vars = top!.outer ?? vars.slice(0, top!.vars);
        break;
      }
      case 'define': case 'block': {
        const name = words[1];
        if (!name || name.kind !== 'string') refuse(`${first.text} name must be a string, as in {{${first.text} "name"}}`);
        if (first.text === 'define' && blocks.length > 0) refuse(`unexpected <define> in command at character ${at + 1}`, '{{define}} belongs at the top level of the template');
        if (first.text === 'block') {
          const rest = tokens.slice(tokens.indexOf(name!) + 1);
          if (rest.some(x => x.kind !== 'space')) pipeline(rest, 'block clause', false);
        } else if (words.length > 2) {
          refuse(`unexpected ${JSON.stringify(words[2].text)} in define clause`, 'write {{define "name"}}');
        }
        defined.add(name!.text.slice(1, -1));
        blocks.push({ keyword: first.text, at, vars: vars.length, outer: vars });
        vars = ['$'];
        break;
      }
      case 'template': {
        const name = words[1];
        if (!name || name.kind !== 'string') refuse('template name must be a string, as in {{template "name" .}}');
        used.push(name!.text.slice(1, -1));
        const rest = tokens.slice(tokens.indexOf(name!) + 1);
        if (rest.some(x => x.kind !== 'space')) pipeline(rest, 'template clause', false);
        break;
      }
      case 'break': case 'continue':
        if (!blocks.some(b => b.keyword === 'range')) refuse(`{{${first.text}}} outside {{range}}`, `{{${first.text}}} ends an iteration of {{range}}`);
        if (words.length > 1) refuse(`unexpected ${JSON.stringify(words[1].text)} in {{${first.text}}}`);
        break;
      default:
        refuse(`unexpected <${first.text}> at character ${at + 1}`);
    }
  }
  const open = blocks.pop();
  if (open) refuse(`the {{${open.keyword}}} at character ${open.at + 1} has no {{end}} (unexpected EOF)`, `close it with {{end}}`);
  const missing = used.find(u => !defined.has(u));
  if (missing !== undefined) refuse(`no such template ${JSON.stringify(missing)}`, `define it in the same text with {{define "${missing}"}}...{{end}}: an alert template sees no other`, 'expand');
}
