// @ts-check
import { $ } from '../viewer/chrome.js';

/**
 * The viewer bar's media controls: start/stop the camera and the screen share, pause each, and
 * say what the visitor sees; the agent's own camera in a corner of the stage.
 * @param {import('./call.js').AgentCall} call
 */
export function showMedia(call) {
  for (const kind of /** @type {const} */ (['video', 'screen'])) {
    const local = call.local.get(kind);
    const button = $(`media-${kind}`);
    button.setAttribute('aria-pressed', String(Boolean(local)));
    button.textContent = kind === 'video' ? (local ? 'Stop video' : 'Video') : local ? 'Stop sharing' : 'Share screen';
    const pause = $(`media-${kind}-pause`);
    pause.hidden = !local;
    pause.setAttribute('aria-pressed', String(Boolean(local?.paused)));
    pause.textContent = `${local?.paused ? 'Resume' : 'Pause'} ${kind === 'video' ? 'video' : 'screen'}`;
  }
  $('media-status').textContent = call.describe();
  const self = /** @type {HTMLVideoElement} */ ($('self-view'));
  const camera = call.local.get('video')?.stream || null;
  if (self.srcObject !== camera) self.srcObject = camera;
  self.hidden = !camera;
}

/** Wires the buttons once. @param {import('./call.js').AgentCall} call */
export function bindMediaControls(call) {
  for (const kind of /** @type {const} */ (['video', 'screen'])) {
    $(`media-${kind}`).addEventListener('click', () => call.toggle(kind));
    $(`media-${kind}-pause`).addEventListener('click', () => call.setPaused(kind, !call.local.get(kind)?.paused));
  }
}
