// The question form at the top of every view, with its as-of picker and the link that
// reproduces the view. Submitting changes the address (route.js); the view is then drawn from it,
// so what is on screen and what the link says never differ.
import { h } from './dom.js';
import { go, linkTo } from './route.js';

// D3: as of a position (an integer) or an RFC 3339 instant (any precision down to µs).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
export function validAsOf(text) {
  return text === '' || /^\d+$/.test(text) || RFC3339.test(text);
}

// An as-of field: `name` is the query parameter it fills ("as_of", or "to" for access history).
export function asOfField(name, label, value) {
  return { name, label, value, asOf: true, placeholder: 'latest, or a position or instant' };
}

// fields: [{name, label, value, placeholder?, options? ([value, label] pairs: a select),
// suggestions? (a datalist), asOf? (a position or an instant, with a button that clears it,
// labelled clearLabel), required?, checkbox?, wide?}].
export function viewForm(view, params, fields, { submitLabel = 'Show' } = {}) {
  const inputs = {};
  const problem = h('span', { class: 'form-problem', role: 'status' });
  const form = h('form', { class: 'question', autocomplete: 'off', onsubmit: (event) => {
    event.preventDefault();
    const values = {};
    for (const field of fields) {
      const input = inputs[field.name];
      values[field.name] = field.checkbox ? (input.checked ? 'true' : '') : input.value.trim();
      if (field.asOf && !validAsOf(values[field.name])) {
        problem.textContent = `${field.label}: a position or an RFC 3339 instant, not "${values[field.name]}"`;
        input.focus();
        return;
      }
      if (field.required && !values[field.name]) {
        problem.textContent = `${field.label} is needed`;
        input.focus();
        return;
      }
    }
    problem.textContent = '';
    go(view, values);
  } });

  for (const field of fields) {
    const id = `field-${view}-${field.name}`;
    let input;
    if (field.options) {
      input = h('select', { id, name: field.name },
        field.options.map(([value, label]) => h('option', { value, selected: value === (field.value || ''), text: label })));
    } else if (field.checkbox) {
      input = h('input', { id, name: field.name, type: 'checkbox', checked: Boolean(field.value) });
    } else {
      const listId = field.suggestions ? `${id}-list` : null;
      input = h('input', { id, name: field.name, type: 'text', value: field.value || '', list: listId,
        placeholder: field.placeholder || '', spellcheck: 'false', class: field.asOf || field.wide ? 'wide' : null,
        title: field.asOf ? 'a log position (41) or an RFC 3339 instant (2026-11-22T09:14:03Z)' : null });
      if (field.suggestions) field.datalist = h('datalist', { id: listId });
    }
    inputs[field.name] = input;
    const label = field.checkbox
      ? h('label', { for: id, class: 'check' }, input, ` ${field.label}`)
      : h('label', { for: id }, h('span', { text: field.label }), input, field.datalist);
    if (field.asOf) {
      label.append(h('button', { type: 'button', class: 'link-button',
        onclick: () => { input.value = ''; } }, field.clearLabel || 'latest'));
    }
    form.append(label);
  }
  form.append(h('button', { type: 'submit', class: 'primary', text: submitLabel }), problem);

  const link = linkTo(view, params);
  const share = h('div', { class: 'share' },
    h('span', { class: 'muted', text: 'Link to this view: ' }),
    h('a', { href: link, class: 'view-link', text: link }),
    h('button', { type: 'button', class: 'link-button', onclick: async (event) => {
      try {
        await navigator.clipboard.writeText(link);
        event.target.textContent = 'copied';
      } catch {
        event.target.textContent = 'select the link to copy it';
      }
    } }, 'copy'));

  return { element: h('div', { class: 'question-box' }, form, share), inputs,
    // Fills a field's suggestions (a datalist) once they are known.
    suggest(name, values) {
      const list = fields.find((field) => field.name === name)?.datalist;
      if (list) list.replaceChildren(...values.map((value) => h('option', { value })));
    } };
}
