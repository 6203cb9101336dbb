import * as path from 'node:path';
import { Testing, Yaml } from 'cdk8s';
import fc from 'fast-check';
import { buildExamples } from '../apps';
import { stringifyManifest, stringifyManifests } from '../lib/rendering/manifest-yaml';
import { manifest } from './yaml-arbitraries';

// The manifest YAML emitter must write exactly what cdk8s's Yaml.stringify (the `yaml`
// package) writes: random manifests full of strings that YAML reads as something else, need
// quotes or escapes, or span lines.

describe('manifest YAML emitter', () => {
  test('writes random manifests byte for byte as cdk8s Yaml.stringify does', () => {
    fc.assert(fc.property(fc.array(manifest, { maxLength: 3 }), docs => {
      expect(stringifyManifests(...docs)).toBe(Yaml.stringify(...docs));
    }), { numRuns: 400 });
  });

  test('writes the example apps as cdk8s Yaml.stringify does, without falling back to it', () => {
    // GIVEN the example apps' objects
    const objects = buildExamples(Testing.app()).flatMap(a => a.toJson());
    // the `yaml` package that cdk8s's Yaml.stringify (the emitter's fallback) writes with
    const yaml = require(require.resolve('yaml', { paths: [path.dirname(require.resolve('cdk8s'))] }));
    const fallback = jest.spyOn(yaml, 'stringify');
    try {
      // WHEN they are written with the emitter
      const ours = stringifyManifests(...objects);
      // THEN the yaml package was never needed, and gives the same bytes
      expect(fallback).not.toHaveBeenCalled();
      fallback.mockRestore();
      expect(ours).toBe(Yaml.stringify(...objects));
    } finally {
      fallback.mockRestore();
    }
  });

  test('writes megabytes of multi-line text (a dashboard) as cdk8s Yaml.stringify does', () => {
    // GIVEN text over a megabyte, with blank lines, indentation and characters beyond ASCII
    const lines = Array.from({ length: 40000 }, (_, i) => (i % 7 === 0 ? '' : `${' '.repeat(i % 5)}"line ${i}": "é 日本 😀 ${'x'.repeat(i % 13)}",`));
    for (const text of [lines.join('\n'), `  ${lines.join('\n\n')}\n\n`, `${lines.join('\n')}\n`]) {
      const doc = { kind: 'ConfigMap', data: { 'big.json': text }, list: [text] };
      expect(text.length).toBeGreaterThan(1 << 20);
      expect(stringifyManifest(doc)).toBe(Yaml.stringify(doc));
    }
  });

  test('hands what it does not model to the yaml package', () => {
    const shared = { a: 1 };
    class Custom { public readonly x = 1; }
    for (const doc of [{ one: shared, two: shared }, { when: new Date(0) }, { c: new Custom() }, { big: BigInt(1) }, 'a string', 42, null, undefined, { json: { toJSON: () => 'x' } }]) {
      expect(stringifyManifest(doc)).toBe(Yaml.stringify(doc));
    }
  });
});
