// The benchmark (npm run bench) is not part of CI, but the promise it checks before timing is:
// bench/chart renders with the real helm the same objects (kind, name and content) that bench/app.ts
// synthesizes, so that the two contenders are timed on the same work.
import * as path from 'node:path';
import { Testing } from 'cdk8s';
import { benchApp } from '../bench/app';
import { keyDifference, objectKeys } from '../bench/objects';
import { stringifyManifests } from '../lib/rendering/manifest-yaml';
import { parseObjects } from './helpers';
import { helmBin, run, toolWorkspace } from './tools';

toolWorkspace('bench', helmBin);

describe.each([true, false])('the benchmark with dashboards %s', dashboards => {
  test('the Helm chart renders the objects the bench app synthesizes', () => {
    // GIVEN the bench app and the chart, for the same 6 services
    const oursText = stringifyManifests(...benchApp(Testing.app(), { services: 6, dashboards }).toJson());
    const ours = objectKeys(oursText);
    // WHEN helm renders the chart
    const helmText = run(helmBin(), ['template', 'bench', path.join(__dirname, '..', 'bench', 'chart'), '--set', 'services=6', '--set', `dashboards=${dashboards}`]);
    const helm = objectKeys(helmText);
    // THEN both are the same objects
    expect(keyDifference(ours, helm)).toEqual({ onlyOurs: [], onlyTheirs: [] });
    expect(ours).toEqual(helm);
    expect(ours).toHaveLength(dashboards ? 52 : 45);
    // with the same content (the rules and dashboards are generated from the library's output by
    // bench/chart-templates.ts: run it when they change)
    expect(parseObjects(helmText)).toEqual(parseObjects(oursText));
  });
});

test('objectKeys reads kind and name of every document, quoted or not', () => {
  const text = '---\n# Source: x\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    name: not-this\n  name: "a"\ndata: {}\n---\nkind: Service\nmetadata:\n  name: b\n';
  expect(objectKeys(text)).toEqual(['ConfigMap/a', 'Service/b']);
});
