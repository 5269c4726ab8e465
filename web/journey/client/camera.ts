import type { CameraState } from './machine.ts';

/**
 * The camera: what the browser offers, a stream from the rear camera (documents) or the front one
 * (selfie), and a still at the track's full resolution as JPEG.
 */

export type Facing = 'environment' | 'user';

/** A first guess without asking for permission; `getUserMedia` itself has the last word. */
export async function probeCamera(nav: Navigator = navigator): Promise<CameraState> {
  if (typeof nav.mediaDevices?.getUserMedia !== 'function') return 'unsupported';
  try {
    const devices = await nav.mediaDevices.enumerateDevices();
    // Some browsers list nothing at all before permission: only a list without a camera is a "no".
    if (devices.length > 0 && !devices.some((device) => device.kind === 'videoinput')) return 'none';
  } catch {
    // Unknown: let getUserMedia decide.
  }
  return 'ready';
}

export class CameraUnavailable extends Error {
  readonly camera: 'none' | 'unsupported';
  constructor(camera: 'none' | 'unsupported') {
    super(`camera ${camera}`);
    this.camera = camera;
  }
}

export async function openCamera(facing: Facing, nav: Navigator = navigator): Promise<MediaStream> {
  if (typeof nav.mediaDevices?.getUserMedia !== 'function') throw new CameraUnavailable('unsupported');
  try {
    // Ideal sizes well above any camera's ask the browser for the largest mode the camera has.
    return await nav.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: facing }, width: { ideal: 4096 }, height: { ideal: 4096 } },
    });
  } catch (error) {
    // NotAllowed (refused, or an iframe without allow="camera"), NotFound, NotReadable, Overconstrained.
    throw new CameraUnavailable(error instanceof TypeError ? 'unsupported' : 'none');
  }
}

export function stopCamera(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

interface ImageCaptureLike {
  takePhoto(): Promise<Blob>;
}
type ImageCaptureConstructor = new (track: MediaStreamTrack) => ImageCaptureLike;

/** A still at the camera's resolution: ImageCapture's photo where there is one, else a full-size frame. */
export async function takeStill(stream: MediaStream, video: HTMLVideoElement): Promise<Blob> {
  const track = stream.getVideoTracks()[0];
  const ImageCapture = (globalThis as { ImageCapture?: ImageCaptureConstructor }).ImageCapture;
  if (track && ImageCapture) {
    try {
      const photo = await Promise.race([
        new ImageCapture(track).takePhoto(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 4000)),
      ]);
      if (photo.type === 'image/jpeg' && photo.size <= MAX_STILL_BYTES) return photo;
      return await reencode(photo);
    } catch {
      // Not every camera takes photos (virtual ones often do not): fall back to the video frame.
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d')?.drawImage(video, 0, 0);
  return toJpeg(canvas);
}

async function reencode(image: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(image);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  bitmap.close();
  return toJpeg(canvas);
}

const MAX_STILL_BYTES = 5 * 1024 * 1024;

/** JPEG under the upload limit, lowering the quality for the rare huge sensor. */
async function toJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  for (const quality of [0.92, 0.85, 0.75, 0.6]) {
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob) break;
    if (blob.size <= MAX_STILL_BYTES) return blob;
  }
  throw new Error('no JPEG under the upload limit');
}
