// @ts-check
/**
 * The `accessibility` event `{enabled}` (seed 000: "accessibility features … are turned on or
 * off"). A web page cannot see a screen reader; what it can see are the accessibility settings
 * the browser reports as media features: forced colours (Windows high contrast), more contrast,
 * reduced motion, inverted colours. `enabled` is true while any of them is on. It fires when that
 * changes, and once at load when it is already on (off is the state nothing fires for).
 */
const QUERIES = ['(forced-colors: active)', '(prefers-contrast: more)', '(prefers-reduced-motion: reduce)', '(inverted-colors: inverted)'];

/** @param {(type: string, data?: any) => void} fire */
export function watchAccessibility(fire) {
  if (typeof matchMedia !== 'function') return;
  const lists = QUERIES.map((q) => matchMedia(q));
  const on = () => lists.some((list) => list.matches);
  let enabled = on();
  if (enabled) fire('accessibility', { enabled });
  for (const list of lists) {
    list.addEventListener('change', () => {
      if (on() === enabled) return;
      enabled = !enabled;
      fire('accessibility', { enabled });
    });
  }
}
