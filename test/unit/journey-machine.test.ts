import { describe, expect, it } from 'vitest';
import {
  type CameraState,
  type CaptureMethod,
  captureOptions,
  initialJourney,
  type Journey,
  type JourneyEvent,
  type SessionFacts,
  transition,
} from '../../web/journey/client/machine.ts';
import { eventJson, redirectUrl } from '../../web/journey/client/outcome.ts';

/** The journey's state machine, driven without a DOM: the fallback table, presets, attempts, expiry. */

function session(over: Partial<SessionFacts> = {}): SessionFacts {
  return {
    workflowId: 100,
    verificationType: 'ID_ONLY',
    captureMethod: 'CAMERA_AND_UPLOAD',
    skipIntro: false,
    ...over,
  };
}

const PASSPORT_PRESET = [{ index: 1, country: 'AUT', type: 'PASSPORT' }];

function run(events: JourneyEvent[], from: Journey = initialJourney): Journey {
  return events.reduce(transition, from);
}

/** Sends the current side and has it accepted. */
const acceptSide = (source: 'camera' | 'upload' = 'upload'): JourneyEvent[] => [
  { type: 'captured', source },
  { type: 'confirm' },
  { type: 'accepted' },
];

describe('the capture-method fallback table (seed 000, "Identity Verification")', () => {
  const identity = { verificationType: 'ID_AND_IDENTITY' };
  const rows: Array<[CaptureMethod, string, CameraState, 'camera' | 'upload' | undefined, unknown]> = [
    ['UPLOAD_ONLY', 'always', 'ready', undefined, { camera: false, upload: true }],
    ['CAMERA_AND_UPLOAD', 'user uploads ID image', 'ready', 'upload', { camera: false, upload: true }],
    ['CAMERA_AND_UPLOAD', 'camera not available', 'none', 'camera', { camera: false, upload: true }],
    ['CAMERA_AND_UPLOAD', 'browser not supported', 'unsupported', undefined, { camera: false, upload: true }],
    ['CAMERA_ONLY', 'camera not available', 'none', 'camera', { error: 9820 }],
    ['CAMERA_ONLY', 'browser not supported', 'unsupported', undefined, { error: 9820 }],
  ];
  it.each(rows)('%s, %s → %j for the selfie', (captureMethod, _when, camera, documentSource, expected) => {
    expect(captureOptions({ captureMethod, ...identity }, camera, 'face', documentSource)).toEqual(expected);
  });

  it('offers camera and upload when both are possible', () => {
    expect(
      captureOptions({ captureMethod: 'CAMERA_AND_UPLOAD', ...identity }, 'ready', 'face', 'camera'),
    ).toEqual({
      camera: true,
      upload: true,
    });
    expect(captureOptions({ captureMethod: 'CAMERA_ONLY', ...identity }, 'ready', 'front')).toEqual({
      camera: true,
      upload: false,
    });
  });

  it('ends an ID-only camera journey in a browser without camera support with 9822, a missing camera with 9820', () => {
    const idOnly = { captureMethod: 'CAMERA_ONLY' as const, verificationType: 'ID_ONLY' };
    expect(captureOptions(idOnly, 'unsupported', 'front')).toEqual({ error: 9822 });
    expect(captureOptions(idOnly, 'none', 'front')).toEqual({ error: 9820 });
  });

  it('ends a camera-only journey without a camera before any screen, and falls back to upload for camera + upload', () => {
    const cameraOnly = session({
      captureMethod: 'CAMERA_ONLY',
      workflowId: 201,
      verificationType: 'ID_AND_IDENTITY',
    });
    expect(run([{ type: 'session', session: cameraOnly, camera: 'none' }])).toMatchObject({
      screen: 'error',
      errorCode: 9820,
    });
    const both = session({ skipIntro: true, presets: PASSPORT_PRESET });
    expect(run([{ type: 'session', session: both, camera: 'unsupported' }])).toMatchObject({
      screen: 'capture',
      mode: 'upload',
      allowCamera: false,
      allowUpload: true,
    });
  });

  it('falls back when the camera fails at capture time: upload for camera + upload, 9820 for camera only', () => {
    const events = (captureMethod: CaptureMethod): JourneyEvent[] => [
      {
        type: 'session',
        session: session({ captureMethod, skipIntro: true, presets: PASSPORT_PRESET }),
        camera: 'ready',
      },
      { type: 'camera-failed', camera: 'none' },
    ];
    expect(run(events('CAMERA_AND_UPLOAD'))).toMatchObject({
      screen: 'capture',
      mode: 'upload',
      allowCamera: false,
    });
    expect(run(events('CAMERA_ONLY'))).toMatchObject({ screen: 'error', errorCode: 9820 });
  });

  it('has the selfie uploaded when the user uploaded the ID (camera + upload)', () => {
    const s = session({
      workflowId: 200,
      verificationType: 'ID_AND_IDENTITY',
      skipIntro: true,
      presets: PASSPORT_PRESET,
    });
    const uploaded = run([
      { type: 'session', session: s, camera: 'ready' },
      { type: 'use-upload' },
      ...acceptSide('upload'),
    ]);
    expect(uploaded).toMatchObject({ screen: 'capture', step: 1, mode: 'upload', allowCamera: false });
    const photographed = run([{ type: 'session', session: s, camera: 'ready' }, ...acceptSide('camera')]);
    expect(photographed).toMatchObject({ screen: 'capture', step: 1, mode: 'camera', allowCamera: true });
  });
});

describe('the order of screens', () => {
  it('shows the intro unless skipIntro, then the selection', () => {
    const withIntro = run([{ type: 'session', session: session(), camera: 'ready' }]);
    expect(withIntro.screen).toBe('intro');
    expect(transition(withIntro, { type: 'start' }).screen).toBe('select');
    expect(run([{ type: 'session', session: session({ skipIntro: true }), camera: 'ready' }]).screen).toBe(
      'select',
    );
  });

  it('skips the selection when an index-1 preset gives country and type', () => {
    const state = run([
      { type: 'session', session: session({ presets: PASSPORT_PRESET }), camera: 'ready' },
      { type: 'start' },
    ]);
    expect(state).toMatchObject({
      screen: 'capture',
      preset: true,
      document: { country: 'AUT', idType: 'PASSPORT' },
      sides: ['front'],
    });
    // With a preset there is no selection to go back to.
    expect(transition(state, { type: 'back' }).screen).toBe('capture');
  });

  it('keeps the selection when the only preset is the liveness phrase (index 2)', () => {
    const s = session({ skipIntro: true, presets: [{ index: 2 }] });
    expect(run([{ type: 'session', session: s, camera: 'ready' }]).screen).toBe('select');
  });

  it('captures front and back of an ID card or driving licence, the photo page of a passport, a selfie for 200-202', () => {
    const sidesOf = (idType: 'PASSPORT' | 'ID_CARD' | 'DRIVING_LICENSE', workflowId: number) =>
      run([
        {
          type: 'session',
          session: session({
            workflowId,
            verificationType: workflowId >= 200 ? 'ID_AND_IDENTITY' : 'ID_ONLY',
            skipIntro: true,
          }),
          camera: 'ready',
        },
        { type: 'select', document: { country: 'DEU', idType } },
      ]).sides;
    expect(sidesOf('PASSPORT', 100)).toEqual(['front']);
    expect(sidesOf('ID_CARD', 101)).toEqual(['front', 'back']);
    expect(sidesOf('DRIVING_LICENSE', 102)).toEqual(['front', 'back']);
    for (const workflowId of [200, 201, 202]) {
      expect(sidesOf('PASSPORT', workflowId)).toEqual(['front', 'face']);
      expect(sidesOf('ID_CARD', workflowId)).toEqual(['front', 'back', 'face']);
    }
  });

  it('walks capture → review → sending → next side → submitting → success', () => {
    let state = run([
      { type: 'session', session: session({ skipIntro: true }), camera: 'ready' },
      { type: 'select', document: { country: 'AUT', idType: 'ID_CARD' } },
    ]);
    expect(state).toMatchObject({ screen: 'capture', step: 0, mode: 'camera' });
    state = transition(state, { type: 'captured', source: 'camera' });
    expect(state.screen).toBe('review');
    state = transition(state, { type: 'retake' });
    expect(state.screen).toBe('capture');
    state = run([...acceptSide('camera')], state);
    expect(state).toMatchObject({ screen: 'capture', step: 1 });
    state = run([...acceptSide('camera')], state);
    expect(state.screen).toBe('submitting');
    expect(transition(state, { type: 'submitted' }).screen).toBe('success');
  });
});

describe('refused attempts', () => {
  const start = run([
    { type: 'session', session: session({ skipIntro: true, presets: PASSPORT_PRESET }), camera: 'ready' },
  ]);
  const refuse = (attempt: number, errorCode?: number): JourneyEvent[] => [
    { type: 'captured', source: 'upload' },
    { type: 'confirm' },
    {
      type: 'refused',
      reason: 'BLURRED',
      attempt,
      attemptsLeft: 3 - attempt,
      ...(errorCode === undefined ? {} : { errorCode }),
    },
  ];

  it('lets the user retake with the reason, and ends with 9835 after the third refusal', () => {
    const once = run(refuse(1), start);
    expect(once).toMatchObject({
      screen: 'capture',
      refusal: { reason: 'BLURRED', attempt: 1, attemptsLeft: 2 },
    });
    const twice = run(refuse(2), once);
    expect(twice).toMatchObject({ screen: 'capture', refusal: { attempt: 2, attemptsLeft: 1 } });
    expect(run(refuse(3, 9835), twice)).toMatchObject({ screen: 'error', errorCode: 9835 });
  });

  it('ends with 9835 on the third refusal even without the code, and on none left', () => {
    expect(run([...refuse(1), ...refuse(2), ...refuse(3)], start)).toMatchObject({ errorCode: 9835 });
    const noneLeft = run(
      [
        { type: 'captured', source: 'upload' },
        { type: 'confirm' },
        { type: 'refused', reason: 'GLARE', attempt: 1, attemptsLeft: 0 },
      ],
      start,
    );
    expect(noneLeft).toMatchObject({ screen: 'error', errorCode: 9835 });
  });

  it('clears the refusal once a side is accepted', () => {
    const state = run(
      [...refuse(1), ...acceptSide()],
      run([
        {
          type: 'session',
          session: session({ skipIntro: true, presets: [{ index: 1, country: 'AUT', type: 'ID_CARD' }] }),
          camera: 'ready',
        },
      ]),
    );
    expect(state).toMatchObject({ screen: 'capture', step: 1 });
    expect(state.refusal).toBeUndefined();
  });
});

describe('errors', () => {
  it('ends with 9210 when the session expires mid-journey, from any screen', () => {
    const midway = run([
      { type: 'session', session: session({ presets: PASSPORT_PRESET }), camera: 'ready' },
      { type: 'start' },
      { type: 'captured', source: 'camera' },
      { type: 'confirm' },
    ]);
    expect(midway.screen).toBe('sending');
    expect(transition(midway, { type: 'failed', code: 9210 })).toMatchObject({
      screen: 'error',
      errorCode: 9210,
    });
    expect(transition(initialJourney, { type: 'failed', code: 9200 })).toMatchObject({ errorCode: 9200 });
  });

  it('keeps the first ending: nothing moves a finished journey', () => {
    const ended = transition(initialJourney, { type: 'failed', code: 9200 });
    expect(transition(ended, { type: 'failed', code: 9100 })).toBe(ended);
    expect(transition(ended, { type: 'session', session: session(), camera: 'ready' })).toBe(ended);
  });

  it('ignores events that do not belong to the screen', () => {
    const intro = run([{ type: 'session', session: session(), camera: 'ready' }]);
    for (const event of [
      { type: 'confirm' },
      { type: 'accepted' },
      { type: 'submitted' },
    ] as JourneyEvent[]) {
      expect(transition(intro, event)).toBe(intro);
    }
  });
});

describe('the end of the journey', () => {
  const refs = { customerInternalReference: 'ref 1&2', transactionReference: 'a1b2' };

  it('appends the seed parameters to the success and error URLs, keeping their query as written', () => {
    expect(redirectUrl('https://example.com/ok', refs, { status: 'SUCCESS' })).toBe(
      'https://example.com/ok?transactionStatus=SUCCESS&customerInternalReference=ref+1%262&transactionReference=a1b2',
    );
    expect(redirectUrl('https://example.com/r?from=x%20y&', refs, { status: 'ERROR', code: 9835 })).toBe(
      'https://example.com/r?from=x%20y&transactionStatus=ERROR&customerInternalReference=ref+1%262&transactionReference=a1b2&errorCode=9835',
    );
    expect(redirectUrl('https://example.com/r?a=1', {}, { status: 'ERROR', code: 9200 })).toBe(
      'https://example.com/r?a=1&transactionStatus=ERROR&errorCode=9200',
    );
  });

  it('builds the event JSON with exactly the seed fields', () => {
    const json = eventJson(
      { authorizationToken: 'tok', ...refs },
      'error',
      new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)),
      9835,
    );
    expect(JSON.parse(json)).toEqual({
      authorizationToken: 'tok',
      transactionReference: 'a1b2',
      customerInternalReference: 'ref 1&2',
      eventType: 510,
      dateTime: '2025-01-02T03:04:05.006Z',
      payload: { value: 'error', metainfo: { code: 9835 } },
    });
    expect(JSON.parse(eventJson({ authorizationToken: 'tok' }, 'loaded', new Date(0))).payload).toEqual({
      value: 'loaded',
    });
  });
});
