// @ts-check
/** Carries ?next= through the sign-in form and shows a failed attempt. */
const query = new URLSearchParams(location.search);
const next = query.get('next');
if (next) /** @type {HTMLInputElement} */ (document.getElementById('next')).value = next;
if (query.get('error')) /** @type {HTMLElement} */ (document.getElementById('login-error')).hidden = false;
