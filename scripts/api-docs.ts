/**
 * `npm run docs:api`: the API reference (docs/api/*.md) generated from the doc comments of the
 * public entry points — `lib/index.ts` (`tributary`), `lib/testing/index.ts` (`tributary/testing`)
 * and `lib/connectors/delta/index.ts` (`tributary/connectors/delta`).
 *
 * Why not TypeDoc: it needs the TypeScript compiler API of TypeScript ≤ 6, and this repository
 * builds with TypeScript 7 (the native compiler, which has no JavaScript API). So this is a small
 * source reader instead: for every name an entry point exports it follows the re-export chain to
 * the declaring file, takes the `/** … *\/` comment right above the declaration and the
 * declaration's signature, and for classes and interfaces their public members with their
 * comments. Exits 1 when an export has no doc comment (every row has a summary); `--check` also
 * exits 1 when the committed pages differ from what would be generated (CI).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'docs/api');

interface Entry {
  readonly module: string;
  readonly file: string;
  readonly page: string;
  readonly title: string;
}

const ENTRIES: readonly Entry[] = [
  { module: 'tributary', file: 'lib/index.ts', page: 'tributary.md', title: 'tributary — the library' },
  { module: 'tributary/testing', file: 'lib/testing/index.ts', page: 'testing.md', title: 'tributary/testing — test driver, arbitraries, reference models' },
  {
    module: 'tributary/connectors/delta',
    file: 'lib/connectors/delta/index.ts',
    page: 'connectors-delta.md',
    title: 'tributary/connectors/delta — Delta Lake sink and tables',
  },
];

interface Exported {
  readonly name: string;
  readonly local: string;
  readonly from: string;
}

const EXPORT_FROM = /export\s+(type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/g;
const EXPORT_STAR = /export\s+\*\s+from\s*'([^']+)'/g;

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

function resolveModule(fromFile: string, spec: string): string {
  const base = resolve(dirname(fromFile), spec.replace(/\.js$/, '.ts'));
  return existsSync(base) ? base : base.replace(/\.ts$/, '/index.ts');
}

/** Names an entry file exports, in source order, each with where its declaration is looked up. */
function exportsOf(file: string): Exported[] {
  const text = read(file);
  const out: Exported[] = [];
  for (const m of text.matchAll(EXPORT_FROM)) {
    for (const part of m[2]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const clean = part.replace(/^type\s+/, '');
      const [local, alias] = clean.split(/\s+as\s+/);
      out.push({ name: (alias ?? local)!, local: local!, from: resolveModule(file, m[3]!) });
    }
  }
  for (const m of text.matchAll(EXPORT_STAR)) out.push(...exportsOf(resolveModule(file, m[1]!)));
  return out;
}

interface Declaration {
  readonly file: string;
  readonly kind: string;
  readonly doc: string;
  readonly signature: string;
  readonly members: readonly { readonly signature: string; readonly doc: string }[];
}

const DECL = (name: string) =>
  new RegExp(`^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(class|interface|type|function|async function|const|let|enum)\\s+${name}\\b`, 'm');

/** Finds the declaration of `name` in `file`, following `export … from` chains. */
function findDeclaration(name: string, file: string, seen = new Set<string>()): Declaration | undefined {
  if (seen.has(file) || !existsSync(file)) return undefined;
  seen.add(file);
  const text = read(file);
  const m = DECL(name).exec(text);
  if (m) return describeAt(text, m.index, m[1]!, file);
  for (const e of exportsOf(file)) if (e.name === name) return findDeclaration(e.local, e.from, seen);
  // `import { name } from './x.js'; … export { name };`
  const imported = new RegExp(`import\\s+(?:type\\s+)?\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'([^']+)'`).exec(text);
  if (imported) return findDeclaration(name, resolveModule(file, imported[1]!), seen);
  return undefined;
}

function docBefore(text: string, index: number): string {
  const before = text.slice(0, index).trimEnd();
  if (!before.endsWith('*/')) return '';
  const start = before.lastIndexOf('/**');
  if (start < 0) return '';
  return before
    .slice(start + 3, -2)
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/** The declaration head: up to the opening brace of a body, or the end of a statement. */
function signatureAt(text: string, index: number): { signature: string; bodyStart: number } {
  let depthParen = 0;
  let depthAngle = 0;
  for (let i = index; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depthParen++;
    else if (c === ')') depthParen--;
    else if (c === '<') depthAngle++;
    else if (c === '>' && text[i - 1] !== '=') depthAngle = Math.max(0, depthAngle - 1);
    else if (c === '{' && depthParen === 0 && depthAngle === 0) {
      const head = text.slice(index, i).trim();
      // `type X = { … }` and `const X = { … }`: the object is the value, show a short form.
      if (/^export\s+(type|const|let)\b/.test(head)) return { signature: `${head} { … }`, bodyStart: -1 };
      return { signature: head, bodyStart: i };
    } else if (c === ';' && depthParen === 0) {
      return { signature: text.slice(index, i + 1).trim(), bodyStart: -1 };
    }
  }
  return { signature: text.slice(index, index + 200).trim(), bodyStart: -1 };
}

function membersOf(text: string, bodyStart: number): { signature: string; doc: string }[] {
  const members: { signature: string; doc: string }[] = [];
  let depth = 0;
  let lineStart = bodyStart + 1;
  for (let i = bodyStart; i < text.length; i++) {
    const c = text[i];
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) break;
    } else if (c === '\n') {
      lineStart = i + 1;
      if (depth !== 1) continue;
      const end = text.indexOf('\n', lineStart);
      const line = text.slice(lineStart, end).trim();
      if (line === '' || line.startsWith('//') || line.startsWith('*') || line.startsWith('/*') || line === '}') continue;
      if (/^(private|protected|#|static\s+#)/.test(line) || /^(readonly\s+)?#/.test(line)) continue;
      if (/^(constructor\b)/.test(line) && line.includes('private constructor')) continue;
      const doc = docBefore(text, lineStart);
      if (line.includes('@internal') || doc.includes('@internal')) continue;
      members.push({ signature: line.replace(/\s*\{$/, '').replace(/;$/, ''), doc });
    }
  }
  return members;
}

function describeAt(text: string, index: number, kind: string, file: string): Declaration {
  const { signature, bodyStart } = signatureAt(text, index);
  const members = bodyStart >= 0 && (kind === 'class' || kind === 'interface') ? membersOf(text, bodyStart) : [];
  return { file, kind, doc: docBefore(text, index), signature: signature.replace(/^export\s+/, ''), members };
}

function firstSentence(doc: string): string {
  const flat = doc.replace(/\s+/g, ' ').trim();
  const m = /^(.+?(?<!\be\.g|\bi\.e|\betc)[.!?])(\s+[A-Z`(]|$)/.exec(flat);
  return (m ? m[1]! : flat).replace(/\|/g, '\\|');
}

function anchor(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

/** Exports without a doc comment (every row of the reference needs a summary). */
const undocumented: string[] = [];

function page(entry: Entry): string {
  const exported = exportsOf(join(ROOT, entry.file));
  const seen = new Set<string>();
  const lines = [`# ${entry.title}`, '', `Generated by \`npm run docs:api\` from the doc comments of \`${entry.file}\`'s exports. Do not edit.`, ''];
  const rows: string[] = [];
  const sections: string[] = [];
  for (const e of exported) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    const d = findDeclaration(e.local, e.from);
    if (!d) {
      undocumented.push(`${entry.module}: ${e.name} (declaration not found)`);
      rows.push(`| \`${e.name}\` | | *(declaration not found)* |`);
      continue;
    }
    if (firstSentence(d.doc) === '') undocumented.push(`${entry.module}: ${e.name} (${relative(ROOT, d.file)})`);
    rows.push(`| [\`${e.name}\`](#${anchor(e.name)}) | ${d.kind} | ${firstSentence(d.doc)} |`);
    const src = relative(ROOT, d.file);
    sections.push(`### ${e.name}`, '', `*${d.kind}* · [${src}](../../${src})`, '', '```ts', d.signature, '```', '');
    if (d.doc) sections.push(d.doc, '');
    if (d.members.length) {
      sections.push('| member | |', '|---|---|');
      for (const m of d.members) sections.push(`| \`${m.signature.replace(/\|/g, '\\|')}\` | ${firstSentence(m.doc)} |`);
      sections.push('');
    }
  }
  lines.push('| export | kind | summary |', '|---|---|---|', ...rows, '', '## Details', '', ...sections);
  return `${lines.join('\n').trimEnd()}\n`;
}

function index(): string {
  return [
    '# API reference',
    '',
    'Generated by `npm run docs:api` (scripts/api-docs.ts) from the doc comments of the three public entry points. Anything not exported from these is internal.',
    '',
    ...ENTRIES.map((e) => `- [\`${e.module}\`](${e.page}) — \`${e.file}\``),
    '',
  ].join('\n');
}

function main(): void {
  const check = process.argv.includes('--check');
  const files = new Map<string, string>([['README.md', index()], ...ENTRIES.map((e) => [e.page, page(e)] as [string, string])]);
  if (undocumented.length > 0) {
    process.stderr.write(
      `${undocumented.length} exports have no doc comment (write one above the declaration):\n${undocumented.map((u) => `  ${u}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  let stale = 0;
  if (!check) mkdirSync(OUT, { recursive: true });
  for (const [name, content] of files) {
    const path = join(OUT, name);
    if (check) {
      if (!existsSync(path) || read(path) !== content) {
        process.stderr.write(`docs/api/${name} is out of date: run npm run docs:api\n`);
        stale++;
      }
    } else {
      writeFileSync(path, content);
      process.stdout.write(`wrote docs/api/${name}\n`);
    }
  }
  process.exit(stale ? 1 : 0);
}

main();
