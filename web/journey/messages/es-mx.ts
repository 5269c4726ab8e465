import type { Messages } from './en.ts';
import { es } from './es.ts';

/** Mexican Spanish: Spanish with the Mexican words and forms where they differ. */
export const esMX: Messages = {
  ...es,
  ID_CARD: 'Identificación oficial',
  DRIVING_LICENSE: 'Licencia de conducir',
  side_front_ID_CARD: 'Frente de tu identificación oficial',
  side_back_ID_CARD: 'Reverso de tu identificación oficial',
  side_front_DRIVING_LICENSE: 'Frente de tu licencia de conducir',
  side_back_DRIVING_LICENSE: 'Reverso de tu licencia de conducir',
  hintFace: 'Mira directamente a la cámara, mantén la cara dentro del óvalo y quítate lentes o sombrero.',
  takePhoto: 'Tomar foto',
  introDocument: 'Toma una foto de tu documento de identidad o sube una.',
  introSelfie: 'Tómate una selfie para que podamos compararla con la foto de tu documento.',
  side_face: 'Tu selfie',
  fileUnreadable: 'No se pudo abrir esta imagen. Elige otra.',
  refusedTitle: 'No pudimos usar esta foto',
  reason_NO_DOCUMENT:
    'No se encontró ningún documento en la imagen. Mantén todo el documento dentro del marco.',
  successBody: 'Tus fotos se enviaron para su verificación. Ya puedes cerrar esta página.',
  errorTitle: 'No se pudo completar la verificación',
  error_9100: 'Ocurrió un error en nuestro servidor. Inténtalo más tarde.',
  error_9200: 'Este enlace de verificación falta, no es válido o venció. Solicita un enlace nuevo.',
  error_9210: 'Tu sesión venció. Solicita un enlace nuevo.',
  error_9300: 'No se pudo enviar tu imagen a nuestro servidor. Inténtalo de nuevo.',
  error_9400: 'Ocurrió un error durante la verificación. Inténtalo de nuevo.',
  error_9801: 'Ocurrió un error inesperado. Inténtalo de nuevo.',
  error_9810: 'Hubo un problema al comunicarse con nuestro servidor. Inténtalo de nuevo.',
  error_9821: 'La captura facial falló después de tres intentos.',
  error_9835: 'No se envió ninguna foto válida en tres intentos.',
};
