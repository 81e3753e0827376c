// @ts-check
import { performAction } from './actions.js';
import { guestRequested } from './guests.js';
import { drawGesture, showAgentPointer } from './overlay.js';

/**
 * What an agent sends to help (not only watch), handled on the visitor's side: remote-control
 * requests, actions and navigation (only while control is on), gestures, the agent's pointer,
 * session messages and guest invitations. Other server messages are the session controller's.
 * @param {import('../session/session.js').VisitorSession} session
 * @param {any} msg a parsed server-to-visitor message
 */
export function handleAssistMessage(session, msg) {
  switch (msg.t) {
    case 'rcrequest':
      session.remote?.requested(msg.agent);
      return;
    case 'guestrequest':
      guestRequested(session, msg);
      return;
    case 'rcstop':
      if (session.remote?.enabled) session.remote.setEnabled(false);
      showAgentPointer(null);
      return;
    case 'action':
      return act(session, msg);
    case 'navigate':
      return navigate(session, msg);
    case 'gesture':
      drawGesture(msg);
      session.env.fire('outline', { kind: msg.kind, agentnum: msg.num });
      return;
    case 'pointer':
      if (session.remote?.enabled) showAgentPointer({ x: msg.x, y: msg.y });
      return;
    case 'message':
      for (const handler of session.messageHandlers.get(msg.name) || []) {
        try {
          handler(msg.name, msg.data);
        } catch (error) {
          console.error(error);
        }
      }
      return;
  }
}

/**
 * An agent action: only while control is on and not suspended by the visitor's own input.
 * @param {import('../session/session.js').VisitorSession} session @param {any} msg
 */
function act(session, msg) {
  const recorder = session.recorder;
  if (!session.remote?.enabled || session.remote.suspended || !recorder) return;
  const refused = performAction(msg, {
    mirror: recorder.mirror,
    isMasked: (el) => recorder.isMasked(el),
    fire: session.env.fire,
    identify: (el) => recorder.serializer.gids.now(el),
  });
  if (refused) console.warn(`Tandem: agent action refused: ${refused}`);
}

/**
 * Agent navigation: this site only, and only with control on.
 * @param {import('../session/session.js').VisitorSession} session @param {any} msg
 */
function navigate(session, msg) {
  if (!session.remote?.enabled) return;
  if (msg.direction === 'back' || msg.direction === 'forward') {
    session.env.fire('navigation', { direction: msg.direction });
    if (msg.direction === 'back') history.back();
    else history.forward();
    return;
  }
  let target;
  try {
    target = new URL(msg.url, location.href);
  } catch {
    return;
  }
  if (target.origin !== location.origin || !/^https?:$/.test(target.protocol)) {
    console.warn(`Tandem: agent navigation to another site refused: ${target.origin}`);
    return;
  }
  session.env.fire('navigation', { url: target.href });
  location.assign(target.href);
}
