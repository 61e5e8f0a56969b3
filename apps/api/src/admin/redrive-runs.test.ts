import { describe, expect, it } from 'vitest';
import { adminDeps, adminRouteApp } from '../test/admin-app.ts';
import { createFakeRedrive, sampleRun } from '../test/fake-redrive.ts';
import { redriveCancelRoute, redriveResumeRoute, redriveRunRoute } from './redrive-runs.ts';

function setup() {
  const redrive = createFakeRedrive();
  const deps = adminDeps({ redrive });
  const { app } = adminRouteApp(
    redriveRunRoute(deps),
    redriveResumeRoute(deps),
    redriveCancelRoute(deps),
  );
  return { redrive, app };
}

describe('redrive runs', () => {
  it('GET shows the run as the service gives it', async () => {
    const { app } = setup();
    const res = await app.request('/dead-letters/redrives/7');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(sampleRun(7));
  });

  it('resume and cancel pass the token name; an unknown run is 404, a bad id 400', async () => {
    const { app, redrive } = setup();
    expect((await app.request('/dead-letters/redrives/7/resume', { method: 'POST' })).status).toBe(
      200,
    );
    expect((await app.request('/dead-letters/redrives/7/cancel', { method: 'POST' })).status).toBe(
      200,
    );
    expect(redrive.calls).toEqual([
      { method: 'resume', args: [7, 'ops'] },
      { method: 'cancel', args: [7, 'ops'] },
    ]);
    expect((await app.request('/dead-letters/redrives/8')).status).toBe(404);
    expect((await app.request('/dead-letters/redrives/abc')).status).toBe(400);
    expect((await app.request('/dead-letters/redrives/7?x=1')).status).toBe(400);
    expect((await app.request('/dead-letters/redrives/7', { method: 'POST' })).status).toBe(405);
  });
});
