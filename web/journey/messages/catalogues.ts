import type { Locale } from '../../../shared/domain/locales.ts';
import { ar } from './ar.ts';
import { bg } from './bg.ts';
import { cs } from './cs.ts';
import { da } from './da.ts';
import { de } from './de.ts';
import { el } from './el.ts';
import { en, type Messages } from './en.ts';
import { enGB } from './en-gb.ts';
import { es } from './es.ts';
import { esMX } from './es-mx.ts';
import { et } from './et.ts';
import { fi } from './fi.ts';
import { fr } from './fr.ts';
import { he } from './he.ts';
import { hr } from './hr.ts';
import { hu } from './hu.ts';
import { hy } from './hy.ts';
import { id } from './id.ts';
import { it } from './it.ts';
import { ja } from './ja.ts';
import { ka } from './ka.ts';
import { km } from './km.ts';
import { ko } from './ko.ts';
import { lt } from './lt.ts';
import { ms } from './ms.ts';
import { nl } from './nl.ts';
import { no } from './no.ts';
import { pl } from './pl.ts';
import { pt } from './pt.ts';
import { ptBR } from './pt-br.ts';
import { ro } from './ro.ts';
import { ru } from './ru.ts';
import { sk } from './sk.ts';
import { sv } from './sv.ts';
import { th } from './th.ts';
import { tr } from './tr.ts';
import { vi } from './vi.ts';
import { zhCN } from './zh-cn.ts';
import { zhHK } from './zh-hk.ts';

/**
 * Every catalogue, by locale. build.ts replaces this module when it bundles the page for one locale,
 * so that a page carries only the language it shows (with its root language and English).
 */
export const CATALOGUES: Record<Locale, Messages> = {
  ar: ar,
  bg: bg,
  cs: cs,
  da: da,
  de: de,
  el: el,
  en: en,
  'en-GB': enGB,
  es: es,
  'es-MX': esMX,
  et: et,
  fi: fi,
  fr: fr,
  he: he,
  hr: hr,
  hu: hu,
  hy: hy,
  id: id,
  it: it,
  ja: ja,
  ka: ka,
  km: km,
  ko: ko,
  lt: lt,
  ms: ms,
  nl: nl,
  no: no,
  pl: pl,
  pt: pt,
  'pt-BR': ptBR,
  ro: ro,
  ru: ru,
  sk: sk,
  sv: sv,
  th: th,
  tr: tr,
  vi: vi,
  'zh-CN': zhCN,
  'zh-HK': zhHK,
};
