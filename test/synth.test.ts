import { Testing } from 'cdk8s';
import { buildExamples } from '../apps';
import { MicroserviceApp, MicroserviceConfigError, ObservedService, synthesizeApps } from '../lib';

// Synthesizing many apps: one validation pass for the whole cdk8s App, not one per app.

describe('synthesizeApps', () => {
  test('gives every app the objects of its own toJson()', () => {
    // GIVEN the example apps, one of which calls a service of another
    const apps = buildExamples(Testing.app());
    const caller = new ObservedService(apps[0], 'caller', { image: 'ghcr.io/acme/caller:1.0.0' });
    caller.connectTo(apps[3].node.findAll().find((c): c is ObservedService => c instanceof ObservedService)!);
    // WHEN they are synthesized together
    const together = synthesizeApps(apps);
    // THEN each app has what its toJson() gives
    expect(together).toEqual(apps.map(a => a.toJson()));
  });

  test('validates the App once, whatever the number of apps', () => {
    // GIVEN 30 apps in one cdk8s App
    const app = Testing.app();
    const apps = Array.from({ length: 30 }, (_, i) => new MicroserviceApp(app, `app-${i}`));
    for (const a of apps) new ObservedService(a, 'api', { image: 'ghcr.io/acme/api:1.0.0' });
    const checks = jest.spyOn(MicroserviceApp.prototype as any, 'nameClashes');
    try {
      // WHEN they are synthesized
      synthesizeApps(apps);
      // THEN each app's checks ran once (toJson() per app runs every app's: 30 x 30)
      expect(checks).toHaveBeenCalledTimes(30);
    } finally {
      checks.mockRestore();
    }
  });

  test('fails on any app of the App, before rendering', () => {
    const app = Testing.app();
    const apps = [new MicroserviceApp(app, 'one', { namespace: 'shared' }), new MicroserviceApp(app, 'two', { namespace: 'shared' })];
    expect(() => synthesizeApps(apps)).toThrow(MicroserviceConfigError);
    expect(() => synthesizeApps(apps)).toThrow(/'namespace' 'shared' is also the namespace of the app one/);
  });
});
