import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * A video for Chromium's fake camera (`--use-file-for-fake-video-capture=<file>.y4m`): one still
 * frame, played in a loop, so that the camera "sees" the given image. Y4M is raw YUV 4:2:0 behind a
 * one-line header; Chromium reads the resolution and frame rate from that header.
 */

/** `image` centred on a dark table in a `width` × `height` frame (even sizes: 4:2:0 halves them). */
export async function cameraFrame(image: Buffer, width = 1600, height = 1200): Promise<Buffer> {
  // A camera never delivers paper as pure white: a little under full exposure, as a phone meters it.
  const fitted = await sharp(image)
    .resize(Math.round(width * 0.8), Math.round(height * 0.8), { fit: 'inside' })
    .linear(0.86, 0)
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#2f2a26' } })
    .composite([{ input: fitted, gravity: 'centre' }])
    .removeAlpha()
    .raw()
    .toBuffer();
}

/**
 * Converts packed RGB to planar YUV 4:2:0, BT.601 in video range (Y 16–235, chroma 16–240): what
 * Chromium assumes of a Y4M file whatever its colour-range tag.
 */
export function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 1.5);
  const uOffset = width * height;
  const vOffset = uOffset + (width / 2) * (height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const r = rgb[i] ?? 0;
      const g = rgb[i + 1] ?? 0;
      const b = rgb[i + 2] ?? 0;
      out[y * width + x] = clamp(16 + (219 / 255) * (0.299 * r + 0.587 * g + 0.114 * b));
    }
  }
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * width + x + dx) * 3;
        r += rgb[i] ?? 0;
        g += rgb[i + 1] ?? 0;
        b += rgb[i + 2] ?? 0;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const at = (y / 2) * (width / 2) + x / 2;
      out[uOffset + at] = clamp(128 + (224 / 255) * (-0.168736 * r - 0.331264 * g + 0.5 * b));
      out[vOffset + at] = clamp(128 + (224 / 255) * (0.5 * r - 0.418688 * g - 0.081312 * b));
    }
  }
  return out;
}

const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));

/** Writes `image`, framed as cameraFrame() does, as a looping Y4M video at `path`. */
export async function writeFakeCameraVideo(
  path: string,
  image: Buffer,
  width = 1600,
  height = 1200,
): Promise<void> {
  const frame = rgbToI420(await cameraFrame(image, width, height), width, height);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420\n`);
  await writeFile(path, Buffer.concat([header, Buffer.from('FRAME\n'), frame]));
}
