import sharp from 'sharp';
import { faceCell } from './face-images.ts';
import { seededRandom } from './synthetic-documents.ts';

/**
 * A selfie that passes the usability check: a face thumbnail (face-images.ts) enlarged into a
 * 720 × 960 frame, with the sensor noise every phone photo has. The enlarged thumbnail alone is too
 * soft for the sharpness measure; a real selfie is not.
 */
export async function selfiePhoto(index = 0, seed = 1): Promise<Buffer> {
  const width = 720;
  const height = 960;
  const face = await sharp(await faceCell(index))
    .resize(width, height, { fit: 'cover' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const random = seededRandom(seed);
  const noisy = Buffer.alloc(face.length);
  for (let i = 0; i < face.length; i++) {
    // Roughly gaussian (the sum of three uniforms), standard deviation about 6 grey levels.
    const noise = (random() + random() + random() - 1.5) * 12;
    noisy[i] = Math.max(0, Math.min(255, Math.round((face[i] ?? 0) + noise)));
  }
  return sharp(noisy, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
