import type { MessageKey, Messages } from '../messages/index.ts';
import { format } from '../messages/index.ts';
import type { AcceptedDocument } from './api.ts';
import { h } from './dom.ts';
import type { DocumentChoice, IdType } from './machine.ts';

/**
 * The country and document-type screen: the customer's accepted documents, named in the user's
 * language by Intl.DisplayNames, sorted by that language's collation, filtered as the user types.
 */

interface Country {
  doc: AcceptedDocument;
  name: string;
  folded: string;
}

const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function countryList(documents: AcceptedDocument[], locale: string): Country[] {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale, 'en'], { type: 'region' });
  } catch {
    names = undefined;
  }
  const collator = new Intl.Collator(locale);
  return documents
    .filter((doc) => doc.types.length > 0)
    .map((doc) => {
      let name = doc.country;
      try {
        name = names?.of(doc.region) ?? doc.country;
      } catch {
        // A region the browser does not know keeps its code.
      }
      return { doc, name, folded: `${fold(name)} ${doc.country.toLowerCase()} ${doc.region.toLowerCase()}` };
    })
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** The user's likely country from the locale (`de` → DE), to preselect when it is accepted. */
function likelyRegion(locale: string): string | undefined {
  try {
    return new Intl.Locale(locale).maximize().region;
  } catch {
    return undefined;
  }
}

export function selectScreen(
  messages: Messages,
  locale: string,
  documents: AcceptedDocument[],
  previous: DocumentChoice | undefined,
  onChoose: (choice: DocumentChoice) => void,
): HTMLElement {
  const t = (key: MessageKey, values?: Record<string, string | number>) => format(messages, key, values);
  const countries = countryList(documents, locale);
  const region = likelyRegion(locale);
  let chosen =
    countries.find((c) => c.doc.country === previous?.country) ??
    countries.find((c) => c.doc.region === region);
  let idType: IdType | undefined = previous?.idType;

  const search = h('input', {
    type: 'search',
    id: 'country-search',
    class: 'field',
    autocomplete: 'off',
    'aria-controls': 'country',
    placeholder: t('countrySearch'),
    'aria-label': t('countrySearch'),
  });
  const list = h('select', { id: 'country', class: 'field', size: 7, 'aria-describedby': 'country-none' });
  const none = h('p', { id: 'country-none', class: 'note', 'aria-live': 'polite' });
  const types = h('div', { class: 'types', role: 'radiogroup', 'aria-labelledby': 'type-label' });
  const typeGroup = h(
    'div',
    { class: 'type-group' },
    h('p', { id: 'type-label', class: 'label' }, t('typeLabel')),
    types,
  );
  const next = h('button', { type: 'submit', class: 'primary' }, t('continue'));

  const fillList = () => {
    const query = fold(search.value.trim());
    list.replaceChildren();
    for (const country of countries) {
      if (query && !country.folded.includes(query)) continue;
      list.append(h('option', { value: country.doc.country, selected: country === chosen }, country.name));
    }
    none.textContent = list.options.length === 0 ? t('noCountryMatch', { query: search.value.trim() }) : '';
    // One match left: that is the user's country.
    const only = list.options.length === 1 ? list.options[0] : undefined;
    if (only && chosen?.doc.country !== only.value) {
      only.selected = true;
      chosen = countries.find((c) => c.doc.country === only.value);
      fillTypes();
    }
  };

  const fillTypes = () => {
    types.replaceChildren();
    const offered = chosen?.doc.types ?? [];
    if (idType && !offered.includes(idType)) idType = undefined;
    if (!idType && offered.length === 1) idType = offered[0];
    for (const type of offered) {
      const id = `type-${type}`;
      types.append(
        h(
          'label',
          { class: 'choice', for: id },
          h('input', {
            type: 'radio',
            name: 'idType',
            id,
            value: type,
            checked: type === idType,
            onchange: () => {
              idType = type;
              next.disabled = false;
            },
          }),
          h('span', {}, t(type)),
        ),
      );
    }
    typeGroup.hidden = offered.length === 0;
    next.disabled = !chosen || !idType;
  };

  search.addEventListener('input', fillList);
  list.addEventListener('change', () => {
    chosen = countries.find((c) => c.doc.country === list.value);
    fillTypes();
  });
  fillList();
  fillTypes();

  return h(
    'form',
    {
      class: 'select',
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        if (chosen && idType) onChoose({ country: chosen.doc.country, idType });
      },
    },
    h('label', { for: 'country', class: 'label' }, t('countryLabel')),
    search,
    list,
    none,
    typeGroup,
    h('div', { class: 'actions' }, next),
  );
}
