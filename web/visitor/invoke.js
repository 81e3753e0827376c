// @ts-check
import { groupConfig } from './ui/group-config.js';

/**
 * `glance_invoke`: another window (a chat widget) calls the visitor API by postMessage
 * `{glance_invoke: {func, args, groupid}}`. Accepted only from the group's trusted origins
 * (group setting invokeOrigins), only for a group allowed on this page, and only for a
 * function inside `GLANCE`. For a non-primary group the group id is passed on to
 * `startSession`; a conflicting `args.groupid` is refused.
 * Messages the loader kept while this module was on its way (`early`, a chat frame invoking at
 * load) are handled first, with the same checks.
 * @param {{
 *   server: string,
 *   primaryGroup: number,
 *   allowedGroups: number[],
 *   fail: (code: string, msg: string, params?: any) => void,
 *   early?: {events: MessageEvent[], stop: () => void} | null,
 * }} env
 */
export function listenForInvocations(env) {
  window.addEventListener('message', handle);
  if (env.early) {
    env.early.stop();
    for (const event of env.early.events.splice(0)) handle(event);
  }
  /** @param {MessageEvent} event */
  async function handle(event) {
    const request = event.data && typeof event.data === 'object' ? event.data.glance_invoke : undefined;
    if (!request || typeof request !== 'object') return;
    const refuse = (/** @type {string} */ why) =>
      env.fail('invokenotallowed', `glance_invoke from ${event.origin} refused: ${why}`, { origin: event.origin });
    const groupid = request.groupid === undefined || request.groupid === null ? env.primaryGroup : Number(request.groupid);
    if (!env.allowedGroups.includes(groupid)) return refuse(`group ${request.groupid} is not allowed on this page`);
    const config = await groupConfig(env.server, groupid);
    if (!config || !config.invokeOrigins.includes(event.origin)) return refuse(`origin not trusted by group ${groupid}`);
    const target = resolve(String(request.func ?? ''));
    if (!target) return refuse(`'${request.func}' is not a function of GLANCE`);
    let args = request.args;
    if (target.name === 'startSession' && groupid !== env.primaryGroup) {
      if (args && typeof args === 'object' && args.groupid !== undefined && Number(args.groupid) !== groupid) {
        return refuse(`args.groupid ${args.groupid} conflicts with group ${groupid}`);
      }
      args = { ...(args && typeof args === 'object' ? args : {}), groupid };
    }
    try {
      target.fn.call(target.owner, args);
    } catch (error) {
      console.error(error);
    }
  }
}

/**
 * A function reachable inside `window.GLANCE` through own properties only: `startSession`
 * (the visitor API), `Cobrowse.Visitor.startSession` or `GLANCE.Cobrowse.Visitor.startSession`.
 * @param {string} path
 * @returns {{fn: Function, owner: any, name: string} | null}
 */
export function resolve(path) {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(path)) return null;
  let parts = path.split('.');
  if (parts[0] === 'GLANCE') parts = parts.slice(1);
  else if (parts.length === 1) parts = ['Cobrowse', 'Visitor', ...parts];
  /** @type {any} */
  let owner = null;
  /** @type {any} */
  let value = /** @type {any} */ (window).GLANCE;
  for (const part of parts) {
    if (['__proto__', 'prototype', 'constructor'].includes(part)) return null;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return null;
    if (!Object.prototype.hasOwnProperty.call(value, part)) return null;
    owner = value;
    value = value[part];
  }
  return typeof value === 'function' && parts.length > 0 ? { fn: value, owner, name: parts[parts.length - 1] } : null;
}
