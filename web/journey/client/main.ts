import {
  directionOf,
  format,
  type MessageKey,
  type Messages,
  messagesFor,
  resolveLocale,
} from '../messages/index.ts';
import { createApi, JourneyError, type Session } from './api.ts';
import { CameraUnavailable, openCamera, probeCamera, stopCamera, takeStill } from './camera.ts';
import { busy, h } from './dom.ts';
import { checkImageFile } from './image-file.ts';
import {
  currentSide,
  initialJourney,
  type Journey,
  type JourneyEvent,
  MAX_ATTEMPTS,
  type Source,
  transition,
} from './machine.ts';
import { type EventValue, eventJson, notify, redirectUrl } from './outcome.ts';
import { selectScreen } from './select.ts';

/**
 * The journey page's script: holds the machine's state, renders each screen into `#journey`, and
 * runs the effects of each state (camera, upload, verdict, submit, events, redirect).
 */

const params = new URLSearchParams(location.search);
const token = params.get('authorizationToken') ?? '';
const root = document.getElementById('journey') as HTMLElement;
const api = createApi(token);
const embedded = window.parent !== window;

let locale = resolveLocale(params.get('locale') ?? document.documentElement.lang);
let messages: Messages = messagesFor(locale);
let state: Journey = initialJourney;
let session: Session | undefined;
/** The capture under review or being sent: its bytes, decoded once for the preview. */
let image: { blob: Blob; bitmap?: ImageBitmap } | undefined;
let stream: MediaStream | undefined;
/** Bumped on every render: an effect that finishes after its screen is gone is ignored. */
let generation = 0;

const t = (key: MessageKey, values?: Record<string, string | number>) => format(messages, key, values);

function dispatch(event: JourneyEvent): void {
  const previous = state;
  state = transition(state, event);
  if (state !== previous) enter(previous);
}

function fail(error: unknown): void {
  if (!(error instanceof JourneyError)) console.error(error);
  dispatch({ type: 'failed', code: error instanceof JourneyError ? error.code : 9801 });
}

function emit(value: EventValue, code?: number): void {
  notify(
    window,
    eventJson(
      {
        authorizationToken: token,
        transactionReference: session?.transactionReference,
        customerInternalReference: session?.customerInternalReference,
      },
      value,
      new Date(),
      code,
    ),
  );
}

function applyLocale(requested: string | undefined, customerDefault?: string): void {
  locale = resolveLocale(requested, customerDefault);
  messages = messagesFor(locale);
  document.documentElement.lang = locale;
  document.documentElement.dir = directionOf(locale);
  document.title = t('pageTitle');
}

function applyBranding(s: Session): void {
  const style = document.documentElement.style;
  const { primaryColor, secondaryColor, headerImage } = s.branding ?? {};
  if (primaryColor && CSS.supports('color', primaryColor)) style.setProperty('--primary', primaryColor);
  if (secondaryColor && CSS.supports('color', secondaryColor))
    style.setProperty('--secondary', secondaryColor);
  const header = document.getElementById('brand');
  if (headerImage && header) header.replaceChildren(h('img', { src: headerImage, alt: '' }));
}

async function start(): Promise<void> {
  applyLocale(params.get('locale') ?? undefined);
  render();
  try {
    session = await api.session();
  } catch (error) {
    return fail(error);
  }
  applyLocale(session.locale, session.defaultLocale);
  applyBranding(session);
  emit('loaded');
  const camera = session.captureMethod === 'UPLOAD_ONLY' ? 'none' : await probeCamera();
  dispatch({ type: 'session', session, camera });
}

/** Runs on every change of state: stop what the old screen used, render the new one, start its work. */
function enter(previous: Journey): void {
  const cameraScreen = state.screen === 'capture' && state.mode === 'camera';
  const sameSide = previous.step === state.step && previous.screen === state.screen;
  if (!cameraScreen || !sameSide || previous.mode !== state.mode) {
    stopCamera(stream);
    stream = undefined;
  }
  if (state.screen === 'capture') releaseImage();
  render(previous.screen !== state.screen || previous.step !== state.step);
  switch (state.screen) {
    case 'capture':
      if (cameraScreen) void startCamera(generation);
      break;
    case 'sending':
      void send();
      break;
    case 'submitting':
      void submit();
      break;
    case 'success':
      finish('success');
      break;
    case 'error':
      finish('error', state.errorCode ?? 9801);
      break;
  }
}

function releaseImage(): void {
  image?.bitmap?.close();
  image = undefined;
}

async function startCamera(forRender: number): Promise<void> {
  const side = currentSide(state);
  try {
    const opened = await openCamera(side === 'face' ? 'user' : 'environment');
    if (forRender !== generation) return stopCamera(opened);
    stream = opened;
    const video = root.querySelector('video');
    if (!video) return;
    video.srcObject = opened;
    await video.play().catch(() => undefined);
    // The viewfinder takes the camera's shape, so that it shows exactly the frame the still will hold.
    if (video.videoWidth > 0 && video.videoHeight > 0) {
      video.parentElement?.style.setProperty('--ratio', String(video.videoWidth / video.videoHeight));
    }
    const shutter = root.querySelector<HTMLButtonElement>('#shutter');
    if (shutter) shutter.disabled = false;
    const status = root.querySelector('#camera-status');
    if (status) status.textContent = '';
  } catch (error) {
    if (forRender !== generation) return;
    if (error instanceof CameraUnavailable) dispatch({ type: 'camera-failed', camera: error.camera });
    else fail(error);
  }
}

async function takePhoto(): Promise<void> {
  const video = root.querySelector('video');
  if (!stream || !video) return;
  const forRender = generation;
  const shutter = root.querySelector<HTMLButtonElement>('#shutter');
  if (shutter) shutter.disabled = true;
  try {
    const blob = await takeStill(stream, video);
    if (forRender !== generation) return;
    image = { blob, bitmap: await createImageBitmap(blob).catch(() => undefined) };
    dispatch({ type: 'captured', source: 'camera' });
  } catch (error) {
    fail(error);
  }
}

async function chooseFile(file: File | undefined, problem: HTMLElement): Promise<void> {
  if (!file) return;
  problem.textContent = '';
  const checked = await checkImageFile(file);
  if (checked === 'fileEmpty' || checked === 'fileTooLarge' || checked === 'fileWrongType') {
    problem.textContent = t(checked);
    return;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    problem.textContent = t('fileUnreadable');
    return;
  }
  releaseImage();
  image = { blob: file.type === checked ? file : new Blob([file], { type: checked }), bitmap };
  dispatch({ type: 'captured', source: 'upload' });
}

async function send(): Promise<void> {
  const side = currentSide(state);
  const source: Source = state.source ?? 'upload';
  if (!side || !image) return fail(new JourneyError(9801));
  try {
    const ticket = await api.uploadTicket({
      side,
      contentType: image.blob.type,
      size: image.blob.size,
      source,
    });
    await api.upload(ticket, image.blob);
    const verdict = await api.capture({ side, key: ticket.key });
    releaseImage();
    if (verdict.accepted) dispatch({ type: 'accepted' });
    else dispatch({ type: 'refused', ...verdict });
  } catch (error) {
    fail(error);
  }
}

async function submit(): Promise<void> {
  const document = state.document;
  if (!document) return fail(new JourneyError(9801));
  try {
    await api.submit({ country: document.country, idType: document.idType, embedded });
    dispatch({ type: 'submitted' });
  } catch (error) {
    fail(error);
  }
}

/** The seed's end: the event first, then the customer's URL, or the built-in result screen. */
function finish(value: 'success' | 'error', code?: number): void {
  stopCamera(stream);
  emit(value, code);
  const target = value === 'success' ? session?.successUrl : session?.errorUrl;
  if (!target || !session) return;
  const url = redirectUrl(
    target,
    session,
    value === 'success' ? { status: 'SUCCESS' } : { status: 'ERROR', code: code ?? 9801 },
  );
  // The event is queued for the parent before the frame leaves; the redirect replaces this page only.
  setTimeout(() => location.replace(url), 50);
}

// ---- screens -------------------------------------------------------------------------------------

function render(moveFocus = true): void {
  generation += 1;
  root.dataset.state = state.screen;
  if (state.errorCode === undefined) delete root.dataset.errorCode;
  else root.dataset.errorCode = String(state.errorCode);
  const side = currentSide(state);
  if (side) root.dataset.side = side;
  else delete root.dataset.side;
  root.setAttribute('aria-busy', String(['loading', 'sending', 'submitting'].includes(state.screen)));
  root.replaceChildren(...screen());
  if (moveFocus) root.querySelector<HTMLElement>('h1')?.focus({ preventScroll: false });
}

const title = (text: string) => h('h1', { tabindex: -1 }, text);

function screen(): Array<Node | string> {
  switch (state.screen) {
    case 'loading':
      return [title(t('pageTitle')), busy(t('loading'))];
    case 'intro': {
      const identity = session?.verificationType === 'ID_AND_IDENTITY';
      return [
        title(t('introTitle')),
        h('p', {}, t('introBody')),
        h(
          'ol',
          { class: 'steps' },
          h('li', {}, t('introDocument')),
          identity && h('li', {}, t('introSelfie')),
        ),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'primary', onclick: () => dispatch({ type: 'start' }) },
            t('start'),
          ),
        ),
      ];
    }
    case 'select':
      return [
        title(t('selectTitle')),
        selectScreen(messages, locale, session?.acceptedDocuments ?? [], state.document, (document) =>
          dispatch({ type: 'select', document }),
        ),
      ];
    case 'capture':
      return captureScreen();
    case 'review':
      return reviewScreen();
    case 'sending':
      return [progress(), title(sideTitle()), busy(t('sending'))];
    case 'submitting':
      return [title(t('pageTitle')), busy(t('submitting'))];
    case 'success':
      return resultScreen('success');
    case 'error':
      return resultScreen('error');
  }
}

function sideTitle(): string {
  const side = currentSide(state);
  if (side === 'face' || !state.document) return t('side_face');
  if (side === 'back')
    return t(state.document.idType === 'DRIVING_LICENSE' ? 'side_back_DRIVING_LICENSE' : 'side_back_ID_CARD');
  return t(`side_front_${state.document.idType}`);
}

function progress(): HTMLElement {
  return h('p', { class: 'progress' }, t('stepOf', { step: state.step + 1, total: state.sides.length }));
}

function refusalNotice(): HTMLElement | false {
  const refusal = state.refusal;
  if (!refusal) return false;
  return h(
    'div',
    { class: 'notice', role: 'alert' },
    h('p', { class: 'notice-title' }, t('refusedTitle')),
    h('p', {}, t(`reason_${refusal.reason}`)),
    h('p', { class: 'note' }, t('attemptRefused', { attempt: refusal.attempt, max: MAX_ATTEMPTS })),
  );
}

function backButton(): HTMLElement | false {
  if (state.step !== 0 || state.preset) return false;
  return h(
    'button',
    { type: 'button', class: 'secondary', onclick: () => dispatch({ type: 'back' }) },
    t('back'),
  );
}

function captureScreen(): Array<Node | string> {
  const face = currentSide(state) === 'face';
  const hint = h('p', { class: 'hint' }, t(face ? 'hintFace' : 'hintDocument'));
  if (state.mode === 'camera') {
    return [
      progress(),
      title(sideTitle()),
      refusalNotice() || '',
      h(
        'div',
        { class: face ? 'viewfinder face' : 'viewfinder' },
        h('video', { muted: true, playsinline: true, autoplay: true, 'aria-label': t('cameraLabel') }),
        h('div', { class: 'guide', 'aria-hidden': 'true' }),
      ),
      hint,
      h('p', { id: 'camera-status', class: 'note', role: 'status' }, t('cameraStarting')),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            id: 'shutter',
            class: 'primary',
            disabled: true,
            onclick: () => void takePhoto(),
          },
          t('takePhoto'),
        ),
        state.allowUpload &&
          h(
            'button',
            { type: 'button', class: 'secondary', onclick: () => dispatch({ type: 'use-upload' }) },
            t('useUpload'),
          ),
        backButton(),
      ),
    ];
  }
  const problem = h('p', { id: 'file-problem', class: 'problem', role: 'alert' });
  const input = h('input', {
    type: 'file',
    id: 'file',
    class: 'file-input',
    accept: 'image/jpeg,image/png',
    'aria-describedby': 'upload-hint file-problem',
  });
  input.addEventListener('change', () => {
    void chooseFile(input.files?.[0], problem);
    input.value = '';
  });
  return [
    progress(),
    title(sideTitle()),
    refusalNotice() || '',
    hint,
    h('p', { id: 'upload-hint', class: 'note' }, t('uploadHint')),
    h(
      'div',
      { class: 'actions' },
      input,
      h('label', { for: 'file', class: 'button primary' }, t('chooseFile')),
    ),
    problem,
    h(
      'div',
      { class: 'actions' },
      state.allowCamera &&
        h(
          'button',
          { type: 'button', class: 'secondary', onclick: () => dispatch({ type: 'use-camera' }) },
          t('useCamera'),
        ),
      backButton(),
    ),
  ];
}

function reviewScreen(): Array<Node | string> {
  const canvas = h('canvas', { class: 'preview', role: 'img', 'aria-label': t('photoLabel') });
  const bitmap = image?.bitmap;
  if (bitmap) {
    // Drawn rather than shown through a blob: URL, so the page's img-src needs nothing more.
    const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  }
  return [
    progress(),
    title(t('reviewTitle')),
    h('p', { class: 'hint' }, t('reviewHint')),
    canvas,
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        { type: 'button', id: 'confirm', class: 'primary', onclick: () => dispatch({ type: 'confirm' }) },
        t('confirm'),
      ),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => dispatch({ type: 'retake' }) },
        t('retake'),
      ),
    ),
  ];
}

function resultScreen(value: 'success' | 'error'): Array<Node | string> {
  const target = value === 'success' ? session?.successUrl : session?.errorUrl;
  const imageUrl = value === 'success' ? session?.branding?.successImage : session?.branding?.errorImage;
  const code = state.errorCode ?? 9801;
  const body: Node[] =
    value === 'success'
      ? [h('p', {}, t('successBody'))]
      : [h('p', {}, errorText(code)), h('p', { class: 'note' }, t('errorCode', { code }))];
  return [
    h(
      'div',
      { class: `result ${value}`, 'aria-hidden': 'true' },
      imageUrl ? h('img', { src: imageUrl, alt: '' }) : h('span', { class: 'mark' }),
    ),
    title(t(value === 'success' ? 'successTitle' : 'errorTitle')),
    ...body,
    target ? busy(t('redirecting')) : '',
  ];
}

function errorText(code: number): string {
  const key = `error_${code}` as MessageKey;
  return key in messages ? t(key) : t('error_9801');
}

start().catch(fail);
