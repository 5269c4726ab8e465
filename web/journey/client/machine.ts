/**
 * The journey as a pure state machine: intro → select → capture → review → sending → … → submitting
 * → success | error. `transition(state, event)` decides everything the user can see next; main.ts
 * performs the effects (API calls, camera, redirects) and feeds their outcomes back as events. No DOM,
 * no I/O: the unit tests drive it directly.
 */

export type Side = 'front' | 'back' | 'face';
export type IdType = 'PASSPORT' | 'ID_CARD' | 'DRIVING_LICENSE';
export type CaptureMethod = 'CAMERA_ONLY' | 'UPLOAD_ONLY' | 'CAMERA_AND_UPLOAD';
export type Source = 'camera' | 'upload';
export type RefusalReason =
  | 'NOT_AN_IMAGE'
  | 'TOO_LARGE'
  | 'TOO_SMALL'
  | 'BLURRED'
  | 'GLARE'
  | 'BAD_QUALITY'
  | 'NO_DOCUMENT';

/**
 * What the browser offers: a camera API and (as far as can be told) a camera (`ready`), the API but
 * no usable camera (`none`: no device, permission refused, an iframe without `allow="camera"`), or
 * no camera API at all (`unsupported`: an old browser, an insecure context).
 */
export type CameraState = 'ready' | 'none' | 'unsupported';

/** The attempts the server allows before error 9835 (seed 000: "after three attempts"). */
export const MAX_ATTEMPTS = 3;

export interface SessionFacts {
  workflowId: number;
  verificationType: string;
  captureMethod: CaptureMethod;
  skipIntro: boolean;
  presets?: ReadonlyArray<{ index: number; country?: string; type?: string }>;
}

export interface DocumentChoice {
  country: string;
  idType: IdType;
}

export interface Refusal {
  reason: RefusalReason;
  attempt: number;
  attemptsLeft: number;
}

export type Screen =
  | 'loading'
  | 'intro'
  | 'select'
  | 'capture'
  | 'review'
  | 'sending'
  | 'submitting'
  | 'success'
  | 'error';

export interface Journey {
  screen: Screen;
  session?: SessionFacts;
  camera: CameraState;
  document?: DocumentChoice;
  /** True when an index-1 preset chose the document: there is no selection to go back to. */
  preset: boolean;
  /** The sides to capture, in order, and the one at hand. */
  sides: Side[];
  step: number;
  /** How the current side may be captured, and how the user is capturing it. */
  allowCamera: boolean;
  allowUpload: boolean;
  mode: Source;
  /** The source of the capture under review or being sent. */
  source?: Source;
  /** How the document was captured (the fallback table decides the selfie's source from it). */
  documentSource?: Source;
  /** The last refusal of the current side, shown on the retake. */
  refusal?: Refusal;
  errorCode?: number;
}

export type JourneyEvent =
  | { type: 'session'; session: SessionFacts; camera: CameraState }
  | { type: 'start' }
  | { type: 'select'; document: DocumentChoice }
  | { type: 'back' }
  | { type: 'use-upload' }
  | { type: 'use-camera' }
  | { type: 'camera-failed'; camera: Exclude<CameraState, 'ready'> }
  | { type: 'captured'; source: Source }
  | { type: 'retake' }
  | { type: 'confirm' }
  | { type: 'accepted' }
  | { type: 'refused'; reason: RefusalReason; attempt: number; attemptsLeft: number; errorCode?: number }
  | { type: 'submitted' }
  | { type: 'failed'; code: number };

export const initialJourney: Journey = {
  screen: 'loading',
  camera: 'unsupported',
  preset: false,
  sides: [],
  step: 0,
  allowCamera: false,
  allowUpload: false,
  mode: 'upload',
};

export type CaptureOptions = { camera: boolean; upload: boolean } | { error: 9820 | 9822 };

/**
 * The seed's capture-method fallback table ("Identity Verification"), applied to every side:
 *
 * | capture method  | when                          | result                        |
 * | upload only     | always                        | upload                        |
 * | camera + upload | the user uploaded the ID      | the selfie is uploaded too    |
 * | camera + upload | camera not available          | upload                        |
 * | camera + upload | browser not supported         | upload                        |
 * | camera only     | camera not available          | error 9820                    |
 * | camera only     | browser not supported         | error 9820                    |
 *
 * The table is written for the ID + Identity workflows. For the ID-only camera workflow (101) a
 * browser without camera support ends with the error list's own code for it, 9822 ("Browser does
 * not support camera"); a missing or refused camera is 9820 in both.
 */
export function captureOptions(
  session: Pick<SessionFacts, 'captureMethod' | 'verificationType'>,
  camera: CameraState,
  side: Side,
  documentSource?: Source,
): CaptureOptions {
  switch (session.captureMethod) {
    case 'UPLOAD_ONLY':
      return { camera: false, upload: true };
    case 'CAMERA_AND_UPLOAD':
      if (side === 'face' && documentSource === 'upload') return { camera: false, upload: true };
      return { camera: camera === 'ready', upload: true };
    case 'CAMERA_ONLY':
      if (camera === 'ready') return { camera: true, upload: false };
      if (camera === 'unsupported' && !needsIdentity(session)) return { error: 9822 };
      return { error: 9820 };
  }
}

export function needsIdentity(session: Pick<SessionFacts, 'verificationType'>): boolean {
  return session.verificationType === 'ID_AND_IDENTITY';
}

/** A passport is captured by its photo page; an ID card and a driving licence front and back. */
export function sidesFor(idType: IdType, identity: boolean): Side[] {
  const document: Side[] = idType === 'PASSPORT' ? ['front'] : ['front', 'back'];
  return identity ? [...document, 'face'] : document;
}

const ID_TYPES: readonly string[] = ['PASSPORT', 'ID_CARD', 'DRIVING_LICENSE'];

/** The index-1 preset's country and type, when it gives both. */
export function presetDocument(session: SessionFacts): DocumentChoice | undefined {
  const preset = session.presets?.find((p) => p.index === 1);
  if (!preset?.country || !preset.type || !ID_TYPES.includes(preset.type)) return undefined;
  return { country: preset.country, idType: preset.type as IdType };
}

export function transition(state: Journey, event: JourneyEvent): Journey {
  if (event.type === 'failed') return fail(state, event.code);
  if (state.screen === 'success' || state.screen === 'error') return state;

  switch (event.type) {
    case 'session': {
      if (state.screen !== 'loading') return state;
      const next: Journey = { ...state, session: event.session, camera: event.camera };
      // A camera-only journey that cannot capture ends before the user does any work.
      const options = captureOptions(event.session, event.camera, 'front');
      if ('error' in options) return fail(next, options.error);
      return event.session.skipIntro ? afterIntro(next) : { ...next, screen: 'intro' };
    }
    case 'start':
      return state.screen === 'intro' ? afterIntro(state) : state;
    case 'select': {
      if (state.screen !== 'select' || !state.session) return state;
      return beginCapture({
        ...state,
        document: event.document,
        sides: sidesFor(event.document.idType, needsIdentity(state.session)),
        step: 0,
      });
    }
    case 'back':
      if (state.screen === 'review') return { ...state, screen: 'capture', source: undefined };
      if (state.screen === 'capture' && state.step === 0 && !state.preset) {
        return { ...state, screen: 'select', refusal: undefined };
      }
      return state;
    case 'use-upload':
      return state.screen === 'capture' && state.allowUpload ? { ...state, mode: 'upload' } : state;
    case 'use-camera':
      return state.screen === 'capture' && state.allowCamera ? { ...state, mode: 'camera' } : state;
    case 'camera-failed': {
      if (state.screen !== 'capture') return state;
      return beginSide({ ...state, camera: event.camera });
    }
    case 'captured':
      return state.screen === 'capture' ? { ...state, screen: 'review', source: event.source } : state;
    case 'retake':
      return state.screen === 'review' ? { ...state, screen: 'capture', source: undefined } : state;
    case 'confirm':
      return state.screen === 'review' ? { ...state, screen: 'sending' } : state;
    case 'accepted': {
      if (state.screen !== 'sending') return state;
      const side = state.sides[state.step];
      const documentSource = side === 'face' ? state.documentSource : (state.source ?? state.documentSource);
      const next: Journey = { ...state, documentSource, refusal: undefined, source: undefined };
      if (state.step + 1 >= state.sides.length) return { ...next, screen: 'submitting' };
      return beginSide({ ...next, step: state.step + 1 });
    }
    case 'refused': {
      if (state.screen !== 'sending') return state;
      if (event.errorCode === 9835 || event.attemptsLeft <= 0 || event.attempt >= MAX_ATTEMPTS) {
        return fail(state, 9835);
      }
      const refusal = { reason: event.reason, attempt: event.attempt, attemptsLeft: event.attemptsLeft };
      return { ...state, screen: 'capture', source: undefined, refusal };
    }
    case 'submitted':
      return state.screen === 'submitting' ? { ...state, screen: 'success' } : state;
  }
}

function fail(state: Journey, code: number): Journey {
  if (state.screen === 'success' || state.screen === 'error') return state;
  return { ...state, screen: 'error', errorCode: code };
}

function afterIntro(state: Journey): Journey {
  const session = state.session;
  if (!session) return state;
  const document = presetDocument(session);
  if (!document) return { ...state, screen: 'select' };
  return beginCapture({
    ...state,
    preset: true,
    document,
    sides: sidesFor(document.idType, needsIdentity(session)),
    step: 0,
  });
}

function beginCapture(state: Journey): Journey {
  return beginSide({ ...state, refusal: undefined, documentSource: undefined });
}

/** Enters the capture of `state.step` with the options the fallback table gives it. */
function beginSide(state: Journey): Journey {
  const side = state.sides[state.step];
  if (!state.session || !side) return fail(state, 9801);
  const options = captureOptions(state.session, state.camera, side, state.documentSource);
  if ('error' in options) return fail(state, options.error);
  return {
    ...state,
    screen: 'capture',
    allowCamera: options.camera,
    allowUpload: options.upload,
    mode: options.camera ? 'camera' : 'upload',
    source: undefined,
  };
}

/** The side being captured, reviewed or sent. */
export function currentSide(state: Journey): Side | undefined {
  return state.sides[state.step];
}
