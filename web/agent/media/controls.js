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
  const guest = document.body.classList.contains('guest');
  $('media-reverse').hidden = call.local.has('screen') || guest;
  const video = call.visitorView('visitorvideo');
  const screen = call.visitorView('visitorscreen');
  $('media-ask-video').textContent = !video ? 'Ask for video' : video.state === 'requested' ? 'Asking… (cancel)' : 'End visitor video';
  $('media-ask-screen').textContent = !screen ? 'Ask for screen' : screen.state === 'requested' ? 'Asking… (cancel)' : 'End visitor screen';
  $('media-ask-video').hidden = $('media-ask-screen').hidden = guest;
  const pause = $('media-visitor-pause');
  pause.hidden = guest || !video || video.state === 'requested' || video.state === 'accepted';
  pause.textContent = video?.paused ? 'Resume visitor video' : 'Pause visitor video';
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
  $('media-reverse').addEventListener('click', () => call.start('screen', { reverse: true }));
  for (const [id, kind] of /** @type {const} */ ([['media-ask-video', 'visitorvideo'], ['media-ask-screen', 'visitorscreen']])) {
    $(id).addEventListener('click', () => (call.visitorView(kind) ? call.stopVisitor(kind) : call.request(kind)));
  }
  $('media-visitor-pause').addEventListener('click', () => call.pauseVisitorVideo(!call.visitorView('visitorvideo')?.paused));
}
