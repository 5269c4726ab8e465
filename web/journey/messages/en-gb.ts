import { en, type Messages } from './en.ts';

/** British English: American English with the British words and spellings. */
export const enGB: Messages = {
  ...en,
  DRIVING_LICENSE: 'Driving licence',
  side_front_DRIVING_LICENSE: 'Front of your driving licence',
  side_back_DRIVING_LICENSE: 'Back of your driving licence',
};
