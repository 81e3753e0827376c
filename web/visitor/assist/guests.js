// @ts-check
import { once, showConsentPrompt } from './prompt.js';

/**
 * An agent asks to invite a guest: the visitor decides. A page that listens to
 * `addguestrequested` answers with the `accept`/`decline` it carries (a custom UI); otherwise the
 * default prompt asks. The answer fires `addguestaccepted` or `addguestdeclined`.
 * @param {import('../session/session.js').VisitorSession} session
 * @param {{agent?: {name?: string, username?: string}, name?: string}} msg
 */
export function guestRequested(session, msg) {
  const custom = session.env.hasListener('addguestrequested');
  /** @type {HTMLElement | null} */
  let prompt = null;
  const { accept, decline } = once((accepted) => {
    prompt?.remove();
    session.connection?.send(JSON.stringify({ t: 'guestresponse', accepted }));
    session.env.fire(accepted ? 'addguestaccepted' : 'addguestdeclined');
  });
  session.env.fire('addguestrequested', { accept, decline, name: msg.name });
  if (custom) return;
  const who = msg.agent?.name || msg.agent?.username || 'The agent';
  const guest = msg.name ? ` (${msg.name})` : '';
  prompt = showConsentPrompt({
    id: 'tandem-guest',
    text: `${who} would like to invite a guest${guest} to watch this session. Allow?`,
    accept,
    decline,
  });
}
