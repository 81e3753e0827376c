// @ts-check
import { $ } from '../viewer/chrome.js';

const KIND = /** @type {Record<string, string>} */ ({ pdf: 'PDF', xlsx: 'spreadsheet', csv: 'CSV' });

/**
 * The viewer's document controls: Share document (a file picker, and whether the visitor may
 * download it), Ask for document, and the panel over the mirror with the document, its name and
 * Share / Cancel (a preview) or Download / Close (the open document).
 * @param {import('./documents.js').AgentDocuments} docs
 */
export function showDocuments(docs) {
  const current = docs.current();
  const panel = $('doc-panel');
  panel.hidden = !current;
  panel.dataset.mode = current ? (current.preview ? 'preview' : 'open') : '';
  document.body.classList.toggle('doc-open', Boolean(current));
  if (current) {
    const { doc, preview } = current;
    const from = preview ? 'Preview (only you see it)' : docs.open?.sharedBy === 'visitor' ? 'Shared by the visitor' : 'Shared with the visitor';
    $('doc-name').textContent = doc.name;
    $('doc-from').textContent = `${from} · ${KIND[doc.kind] || doc.kind}`;
    panel.dataset.id = doc.id;
    panel.dataset.kind = doc.kind;
  }
  $('doc-note').textContent = docs.note;
  $('doc-confirm').hidden = $('doc-cancel').hidden = !current?.preview;
  /** @type {HTMLButtonElement} */ ($('doc-confirm')).disabled = Boolean(docs.sharing);
  $('doc-confirm').textContent = docs.sharing ? 'Sharing…' : 'Share';
  $('doc-close').hidden = !current || current.preview || docs.guest;
  $('doc-save').hidden = !current || current.preview || !docs.open?.download;
  const guest = docs.guest;
  $('doc-share').hidden = $('doc-download-label').hidden = $('doc-request').hidden = guest;
  const request = $('doc-request');
  request.textContent = docs.request === 'asked' ? 'Asking for a document…' : docs.request === 'accepted' ? 'Visitor choosing…' : 'Ask for document';
  request.setAttribute('aria-busy', String(docs.request === 'asked' || docs.request === 'accepted'));
  $('doc-share').setAttribute('aria-busy', String(docs.uploading > 0));
}

/** Wires the controls once. @param {import('./documents.js').AgentDocuments} docs */
export function bindDocumentControls(docs) {
  const input = /** @type {HTMLInputElement} */ ($('doc-file'));
  const download = /** @type {HTMLInputElement} */ ($('doc-download'));
  $('doc-share').addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    input.value = '';
    if (file) docs.upload(file, { download: download.checked });
  });
  // The box may change while the preview shows: Share takes it as it is then.
  $('doc-confirm').addEventListener('click', () => docs.share(download.checked));
  $('doc-cancel').addEventListener('click', () => docs.cancel());
  $('doc-close').addEventListener('click', () => docs.close());
  $('doc-save').addEventListener('click', () => docs.download());
  $('doc-request').addEventListener('click', () => docs.requestDocument());
}
