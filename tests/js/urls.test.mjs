// Script URLs in every form a browser accepts are recognised (web/common/urls.js), so the
// visitor never sends them and the viewer never rebuilds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isScriptUrl, listHasScriptUrl, targetsScript } from '../../web/common/urls.js';

test('script URLs in the forms a browser accepts', () => {
  for (const url of [
    'javascript:alert(1)', 'JaVaScRiPt:alert(1)', '  javascript:x', '\u0001\u0010 javascript:x', 'java\tscript:x',
    'java\nscr\ript:x', 'javascript\n:x', '&#106;avascript:x', '&#0000106avascript:x', '&#x6A;avascript:x',
    'java&Tab;script:x', 'java&NewLine;script:x', 'javascript&colon;x', 'vbscript:msgbox(1)', 'livescript:x',
  ]) {
    assert.equal(isScriptUrl(url), true, JSON.stringify(url));
  }
});

test('ordinary URLs are not script URLs', () => {
  for (const url of ['/path', 'page.html', 'https://example.com/javascript:x', 'http://x', '#top', 'data:image/png;base64,AA', 'mailto:a@b', 'tel:1', '?q=javascript:x', 'blob:https://x/1']) {
    assert.equal(isScriptUrl(url), false, url);
  }
});

test('SVG animations that target links or handlers', () => {
  for (const name of ['href', 'xlink:href', ' HREF ', 'onclick', 'onBegin']) assert.equal(targetsScript(name), true, name);
  for (const name of ['width', 'fill', 'x', 'opacity']) assert.equal(targetsScript(name), false, name);
});

test('animation value lists: references undone before the list is split', () => {
  for (const v of ['java&#x09;script:alert(1)', 'red;javascript:x', ' 0 ; JAVASCRIPT:x', '&#106;avascript:x;blue']) assert.equal(listHasScriptUrl(v), true, v);
  for (const v of ['10;20;30', 'red;blue', 'https://x/;y']) assert.equal(listHasScriptUrl(v), false, v);
});
