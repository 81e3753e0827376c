"""The agent's viewer cannot be broken or steered by the visitor's page or by the agent's own
keyboard: focus never enters the mirror, a lost mirror document rebuilds itself, script URLs in any
spelling and SVG animations that would write one are never rebuilt, and nothing in the mirror can
send the viewer's URL (which holds the session key) as a Referer."""

import threading
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from conftest import SiteHandler, click_mirror, enable_control, join, mirror

MIRROR = "document.getElementById('mirror')"


def mark_mirror(agent):
    """Tags the mirror's frame and document, to tell later that they are still the built ones."""
    return agent.evaluate(f"""() => {{
        window.__builtFrame = {MIRROR};
        {MIRROR}.contentDocument.__built = true;
        return {MIRROR}.contentDocument.URL;
    }}""")


def focus_state(agent):
    """Where the keyboard is: the viewer's focused element, and anything focused in the mirror."""
    return agent.evaluate(f"""() => {{
        const frame = {MIRROR};
        const doc = frame.contentDocument;
        const inner = doc && doc.activeElement;
        let deep = inner;
        while (deep && deep.localName === 'iframe' && deep.contentDocument) deep = deep.contentDocument.activeElement;
        return {{
            viewer: document.activeElement ? (document.activeElement.id || document.activeElement.localName) : null,
            inFrame: document.activeElement === frame,
            inBar: Boolean(document.activeElement && document.activeElement.closest('.bar')),
            mirrorFocus: doc && doc.hasFocus(),
            mirrorActive: inner && inner !== doc.body && inner !== doc.documentElement ? (inner.id || inner.localName) : null,
            deepActive: deep && deep !== inner ? (deep.id || deep.localName) : null,
        }};
    }}""")


def assert_not_in_mirror(state, where):
    assert not state["inFrame"], f"{where}: focus is in the mirror frame: {state}"
    assert not state["mirrorFocus"], f"{where}: the mirror document has focus: {state}"
    assert state["mirrorActive"] is None and state["deepActive"] is None, f"{where}: a mirrored element is focused: {state}"


def walk_focus(agent, key, steps=30):
    """Tabs through the viewer; wherever focus lands outside the toolbar (whose buttons end the
    session or navigate the visitor), Enter and Space are pressed too."""
    seen = []
    for i in range(steps):
        agent.keyboard.press(key)
        state = focus_state(agent)
        seen.append(state["viewer"])
        assert_not_in_mirror(state, f"{key} #{i + 1}")
        if not state["inBar"]:
            agent.keyboard.press("Enter")
            agent.keyboard.press(" ")
            assert_not_in_mirror(focus_state(agent), f"Enter/Space after {key} #{i + 1}")
    return seen


def test_keyboard_focus_never_enters_the_mirror(tandem, site, visitor, agent):
    join(tandem, site, visitor, agent, "harden-focus", "viewer-focus.html")
    expect(mirror(agent).frame_locator("#inner").locator("#inner-link")).to_be_attached()
    url = mark_mirror(agent)
    # The mirror's document is never a page of the visitor's site.
    assert url == "about:blank" or url == agent.url, url

    agent.focus("#rc-request")
    forward = walk_focus(agent, "Tab")
    agent.focus("#end")
    backward = walk_focus(agent, "Shift+Tab")
    # The walk did go round the viewer (toolbar, overlay), just never into the mirror.
    assert "overlay" in forward and "rc-request" in forward and "overlay" in backward, (forward, backward)

    # Even a modal dialog in the visitor's page, which takes focus where it opens, leaves the
    # agent's keyboard in the viewer.
    agent.evaluate("document.activeElement && document.activeElement.blur()")
    visitor.evaluate("document.getElementById('dialog').showModal()")
    expect(mirror(agent).locator("#dialog")).to_have_attribute("open", "")
    agent.wait_for_function(f"document.activeElement !== {MIRROR}")
    agent.wait_for_timeout(200)
    assert_not_in_mirror(focus_state(agent), "modal dialog")
    agent.focus("#rc-request")
    walk_focus(agent, "Tab", steps=16)
    visitor.evaluate("document.getElementById('dialog').close()")

    # Nothing was activated: the visitor's page did not move, the mirror is the one built and live.
    visitor.wait_for_timeout(300)
    assert visitor.url.endswith("/viewer-focus.html")
    assert visitor.evaluate("document.getElementById('count').textContent") == "0"
    assert agent.evaluate(f"window.__builtFrame === {MIRROR} && {MIRROR}.contentDocument.__built === true"), \
        "the mirror frame or document was replaced"
    assert agent.evaluate(f"{MIRROR}.contentDocument.URL") == url
    assert agent.url.startswith(f"{tandem.base}/agentjoin")
    expect(mirror(agent).locator("#link")).to_have_text("A link away")
    visitor.evaluate("document.getElementById('title').textContent = 'Still live'")
    visitor.evaluate("document.getElementById('items').insertAdjacentHTML('beforeend', '<li id=\"added\">added</li>')")
    expect(mirror(agent).locator("#title")).to_have_text("Still live")
    expect(mirror(agent).locator("#added")).to_have_text("added")


def test_remote_control_still_acts_through_the_overlay(tandem, site, visitor, agent):
    join(tandem, site, visitor, agent, "harden-rc", "viewer-focus.html")
    enable_control(visitor, agent)
    click_mirror(agent, "#buy")
    expect(visitor.locator("#count")).to_have_text("1")
    click_mirror(agent, "#name")
    agent.keyboard.type("Ada")
    expect(visitor.locator("#name")).to_have_value("Ada")
    expect(mirror(agent).locator("#name")).to_have_value("Ada")
    # Typing goes through the overlay, never to the mirrored field itself.
    assert focus_state(agent)["viewer"] == "overlay"
    assert_not_in_mirror(focus_state(agent), "typing")
    # Highlighting hits the mirror too.
    agent.click("#tool-highlight")
    click_mirror(agent, "#title")
    expect(agent.locator("#ink circle")).to_have_count(1)


TAMPERING = [
    ("navigated", f"{MIRROR}.contentWindow.location = 'about:blank#gone'"),
    ("rewritten", f"(() => {{ const d = {MIRROR}.contentDocument; d.open(); d.write('x'); d.close(); }})()"),
    ("given a source", f"{MIRROR}.src = 'data:text/html,x'"),
    ("reloaded", f"{MIRROR}.contentWindow.location.reload()"),
    ("given a srcdoc", f"{MIRROR}.srcdoc = '<p>replaced</p>'"),
]


def test_a_lost_mirror_document_is_rebuilt_without_the_agent(tandem, site, visitor, agent):
    join(tandem, site, visitor, agent, "harden-recover", "viewer-focus.html")
    enable_control(visitor, agent)
    for n, (how, script) in enumerate(TAMPERING):
        mark_mirror(agent)
        agent.evaluate(script)
        # A fresh mirror with the current page, with nothing done by the agent.
        agent.wait_for_function(f"""() => {{
            const doc = {MIRROR}.contentDocument;
            return doc && !doc.__built && doc.getElementById('title') !== null;
        }}""", timeout=10_000)
        url = agent.evaluate(f"{MIRROR}.contentDocument.URL")
        assert url == "about:blank" or url == agent.url, f"{how}: {url}"
        assert agent.evaluate(f"{MIRROR}.getAttribute('sandbox')") == "allow-same-origin", how
        assert agent.evaluate(f"{MIRROR}.inert && !{MIRROR}.hasAttribute('src') && !{MIRROR}.hasAttribute('srcdoc')"), how
        # Later changes keep flowing.
        visitor.evaluate(f"document.getElementById('title').textContent = 'After {how}'")
        expect(mirror(agent).locator("#title")).to_have_text(f"After {how}")
        visitor.evaluate(f"document.getElementById('items').insertAdjacentHTML('beforeend', '<li id=\"item-{n}\">{how}</li>')")
        expect(mirror(agent).locator(f"#item-{n}")).to_have_text(how)
    # Remote control hits the new frame.
    click_mirror(agent, "#buy")
    expect(visitor.locator("#count")).to_have_text("1")
    # The agent's viewer itself never moved.
    assert agent.url.startswith(f"{tandem.base}/agentjoin")


# ---- Crafted payloads, built directly by the viewer's modules ----

SCRIPT_URLS = [
    "javascript:alert(1)",
    "  JaVaScRiPt:alert(1)",
    "\x01\x02\x1f javascript:alert(1)",
    "javascript:alert(1) \x00\x10",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\tj\ta\tv\ta\ts\tc\tr\ti\tp\tt\t:alert(1)",
    "javascript\n:alert(1)",
    "&#106;avascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#X6a;AVASCRIPT:alert(1)",
    "&#x0000006a;avascript&colon;alert(1)",
    "java&Tab;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "&#9;javascript:alert(1)",
    "&#32;&#13;javascript:alert(1)",
    "&#106&#97&#118&#97&#115&#99&#114&#105&#112&#116&#58alert(1)",
    "&amp;#106;avascript:alert(1)",
    "vbscript:msgbox(1)",
    " VBScript:msgbox(1)",
    "vb\tscript:msgbox(1)",
    "&#118;bscript:msgbox(1)",
]
SAFE_URLS = [
    "https://example.com/javascript:alert(1)",
    "/search?q=javascript:alert(1)",
    "#javascript:",
    "j avascript:alert(1)",
    "data:image/png;base64,AAAA",
    "mailto:someone@example.com",
    "page2.html",
]
URL_ATTRIBUTES = [
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("img", "lowsrc"), ("input", "src"),
    ("button", "formaction"), ("form", "action"), ("object", "data"), ("object", "codebase"), ("video", "poster"),
    ("table", "background"), ("blockquote", "cite"), ("q", "cite"), ("del", "cite"), ("img", "longdesc"),
    ("img", "usemap"), ("a", "xlink:href"), ("use", "href"), ("image", "xlink:href"), ("html", "manifest"),
    ("embed", "src"), ("source", "src"), ("track", "src"), ("iframe", "src"), ("frame", "src"), ("div", "data-href"),
]


@pytest.fixture
def viewer_modules(tandem, agent):
    """An agent page of Tandem's origin with the viewer's modules (the viewer waits for a session
    that never starts, so it builds nothing of its own)."""
    tandem.start()
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=harden-none&wait=1")
    agent.evaluate("""async () => {
        window.rebuild = await import('/web/agent/render/rebuild.js');
        window.apply = await import('/web/agent/render/apply.js');
        window.Mirror = (await import('/web/common/mirror.js')).Mirror;
        window.buildCrafted = (page) => {
            const frame = document.createElement('iframe');
            frame.setAttribute('sandbox', 'allow-same-origin');
            document.body.append(frame);
            const mirror = new Mirror();
            rebuild.buildDocument(frame.contentDocument, page, mirror);
            return { doc: frame.contentDocument, mirror };
        };
        // Every element of a document, inside shadow roots and mirrored frames too.
        window.allElements = (root) => {
            const out = [];
            const visit = (node) => {
                for (const el of node.querySelectorAll('*')) {
                    out.push(el);
                    if (el.shadowRoot) visit(el.shadowRoot);
                    if (el.localName === 'iframe' && el.contentDocument) visit(el.contentDocument);
                }
            };
            visit(root);
            return out;
        };
    }""")
    return agent


def test_script_urls_in_every_spelling_are_refused(viewer_modules):
    agent = viewer_modules
    results = agent.evaluate("""([bad, good, attrs]) => {
        const kept = [];
        for (const [tag, name] of attrs) {
            for (const url of bad) {
                const value = rebuild.safeAttribute(tag, name, url);
                if (value !== null) kept.push([tag, name, url, value]);
            }
        }
        for (const url of bad) {
            for (const [tag, name] of [['img', 'srcset'], ['source', 'srcset'], ['link', 'imagesrcset']]) {
                const list = rebuild.safeAttribute(tag, name, 'a.png 1x, ' + url + ' 2x');
                if (list !== null) kept.push([tag, name, url, list]);
            }
        }
        const refused = [];
        for (const url of good) if (rebuild.safeAttribute('a', 'href', url) !== url) refused.push(url);
        return { kept, refused, srcsetOk: rebuild.safeAttribute('img', 'srcset', 'a.png 1x, b.png 2x') };
    }""", [SCRIPT_URLS, SAFE_URLS, URL_ATTRIBUTES])
    assert results["kept"] == [], results["kept"][:10]
    assert results["refused"] == []
    assert results["srcsetOk"] == "a.png 1x, b.png 2x"


def test_a_crafted_page_rebuilds_nothing_dangerous(viewer_modules):
    agent = viewer_modules
    links = [{"i": 100 + n, "t": "a", "a": {"href": url, "id": f"l{n}"}, "c": [{"i": 300 + n, "x": "x"}]}
             for n, url in enumerate(SCRIPT_URLS)]
    svg = {"i": 50, "t": "svg", "ns": "s", "a": {"width": "100", "height": "40"}, "c": [
        {"i": 51, "t": "a", "ns": "s", "a": {"href": "&#x6A;avascript:alert(1)", "xlink:href": "java\tscript:alert(1)"}, "c": [
            {"i": 52, "t": "set", "ns": "s", "a": {"attributeName": "href", "to": "javascript:alert(3)"}},
            {"i": 53, "t": "animate", "ns": "s", "a": {"attributeName": "xlink:href", "values": "#a;javascript:alert(4)"}},
            {"i": 54, "t": "set", "ns": "s", "a": {"attributeName": "onclick", "to": "alert(5)"}},
            {"i": 55, "t": "animateMotion", "ns": "s", "a": {"values": "java&#x09;script:alert(6)"}},
            {"i": 56, "t": "animateTransform", "ns": "s", "a": {"attributeName": " HREF\t"}},
            {"i": 57, "t": "set", "ns": "s", "a": {"attributeName": "fill", "to": "&#106;avascript:alert(7)"}},
            {"i": 58, "t": "animate", "ns": "s", "a": {"attributeName": "ONmouseover", "from": "a", "to": "b"}},
            {"i": 59, "t": "set", "ns": "s", "a": {"attributeName": "fill", "to": "red"}, "c": [{"i": 60, "t": "desc", "ns": "s", "c": [{"i": 61, "x": "kept"}]}]},
            {"i": 62, "t": "set", "ns": "s", "a": {"attributeName": "fill", "to": "blue"}},
            {"i": 63, "t": "text", "ns": "s", "a": {"x": "4", "y": "20"}, "c": [{"i": 64, "x": "svg link"}]},
        ]},
    ]}
    page = {
        "url": "http://visitor.example/page.html", "vp": [800, 600], "sc": [0, 0], "ss": [],
        "doc": {"i": 1, "c": [
            {"i": 2, "d": "html"},
            {"i": 3, "t": "html", "c": [
                {"i": 4, "t": "head", "c": [
                    {"i": 5, "t": "meta", "a": {"name": "referrer", "content": "unsafe-url"}},
                    {"i": 6, "t": "meta", "a": {"content": "unsafe-url", "name": " ReFeRrEr "}},
                    {"i": 7, "t": "meta", "a": {"name": "description", "content": "kept"}},
                    {"i": 8, "t": "link", "a": {"rel": "stylesheet", "href": "java\tscript:alert(1)", "referrerpolicy": "unsafe-url"}},
                    {"i": 9, "t": "base", "a": {"href": "javascript:alert(1)//"}},
                ]},
                {"i": 10, "t": "body", "c": [
                    {"i": 11, "t": "img", "a": {"id": "img", "src": "&#106;avascript:alert(1)", "srcset": "a.png 1x, javascript:alert(1) 2x", "referrerpolicy": "unsafe-url"}},
                    {"i": 12, "t": "form", "a": {"action": "javascript:alert(1)"}, "c": [
                        {"i": 13, "t": "button", "a": {"id": "button", "formaction": "JaVaScRiPt:alert(1)"}}]},
                    {"i": 14, "t": "iframe", "a": {"id": "frame", "src": "javascript:alert(1)", "srcdoc": "<script>alert(1)</script>", "referrerpolicy": "unsafe-url"}},
                    {"i": 15, "t": "object", "a": {"id": "object", "data": "javascript:alert(1)"}},
                    {"i": 16, "t": "video", "a": {"id": "video", "poster": " javascript:alert(1)"}},
                    {"i": 17, "t": "table", "a": {"id": "table", "background": "vbscript:x"}},
                    {"i": 18, "t": "blockquote", "a": {"id": "quote", "cite": "javascript&colon;alert(1)"}},
                    {"i": 19, "t": "a", "a": {"id": "pinged", "href": "https://example.com/", "ping": "https://evil.example/ping", "referrerpolicy": "unsafe-url"}},
                    {"i": 20, "t": "a", "a": {"id": "handler", "href": "https://example.com/", "onclick": "alert(1)", "ONMOUSEOVER": "alert(1)"}},
                    {"i": 21, "t": "div", "a": {"id": "host"}, "sr": {"i": 22, "c": [
                        {"i": 23, "t": "a", "a": {"id": "shadow-link", "href": "java\nscript:alert(1)"}}]}},
                    svg,
                    *links,
                ]},
            ]},
        ]},
    }
    result = agent.evaluate("""(page) => {
        const { doc, mirror } = buildCrafted(page);
        const bad = /(?:javascript|vbscript)(?::|&colon;)|&#/i;
        const squash = (v) => v.replace(/[\\u0000-\\u0020]/g, '');
        const offending = [];
        for (const el of allElements(doc)) {
            for (const attr of el.attributes) {
                const name = attr.name.toLowerCase();
                if (name.startsWith('on') || name === 'ping' || name === 'srcdoc' ||
                    (name === 'referrerpolicy' && attr.value !== 'no-referrer') ||
                    (el.localName === 'meta' && name === 'name' && attr.value.trim().toLowerCase() === 'referrer') ||
                    (bad.test(squash(attr.value)) && el.localName !== 'tandem-disarmed')) {
                    offending.push(`${el.localName} ${attr.name}=${attr.value}`);
                }
            }
            const target = (el.getAttribute('attributeName') || '').trim().toLowerCase();
            if (['set', 'animate', 'animatemotion', 'animatetransform'].includes(el.localName.toLowerCase()) &&
                (target.endsWith('href') || target.startsWith('on'))) {
                offending.push(`${el.localName} ${el.getAttribute('attributeName')}`);
            }
        }
        const tag = (id) => mirror.get(id) && mirror.get(id).localName;
        return {
            offending,
            placeholders: [52, 53, 54, 55, 56, 57, 58, 9].map(tag),
            harmless: [tag(59), tag(62), mirror.get(61).data, mirror.get(60).parentNode === mirror.get(59)],
            kept: [doc.querySelector('meta[name=description]') !== null, mirror.get(5).localName, mirror.get(8).localName],
            links: Array.from({ length: %d }, (_, n) => mirror.get(100 + n).hasAttribute('href')),
            policies: [mirror.get(11).getAttribute('referrerpolicy'), mirror.get(19).getAttribute('referrerpolicy')],
            frameSrc: mirror.get(14).hasAttribute('src'),
        };
    }""" % len(SCRIPT_URLS), page)
    assert result["offending"] == []
    assert result["placeholders"] == ["tandem-disarmed"] * 8
    # An animation of anything else is rebuilt as it is, with its children.
    assert result["harmless"] == ["set", "set", "kept", True]
    assert result["kept"] == [True, "meta", "link"]
    assert result["links"] == [False] * len(SCRIPT_URLS)
    assert result["policies"] == ["no-referrer", "no-referrer"]
    assert result["frameSrc"] is False

    # Later deltas: an animation retargeted at a link, a new animation at a handler, a meta
    # renamed, a safe link given a script URL, a policy loosened.
    delta = {
        "at": [
            [59, {"attributeName": "href"}],
            [62, {"to": "java&#9;script:alert(8)"}],
            [7, {"name": "referrer"}],
            [19, {"href": "&#x6a;avascript:alert(9)", "referrerpolicy": "unsafe-url"}],
        ],
        "add": [
            {"p": 51, "n": None, "node": {"i": 70, "t": "set", "ns": "s", "a": {"attributeName": "onclick", "to": "alert(10)"}}},
            {"p": 51, "n": None, "node": {"i": 71, "t": "animate", "ns": "s", "a": {"attributeName": "width", "to": "10"}}},
        ],
    }
    after = agent.evaluate("""([page, delta]) => {
        const { doc, mirror } = buildCrafted(page);
        const { missing } = apply.applyDelta(doc, delta, mirror);
        const set59 = mirror.get(59);
        return {
            missing,
            tags: [59, 62, 70, 71].map((id) => mirror.get(id).localName),
            connected: [59, 62, 70, 71].map((id) => mirror.get(id).isConnected && mirror.get(id).parentNode === mirror.get(51)),
            child: set59.firstChild === mirror.get(60) && mirror.get(61).data === 'kept',
            metaName: mirror.get(7).getAttribute('name'),
            href: mirror.get(19).getAttribute('href'),
            policy: mirror.get(19).getAttribute('referrerpolicy'),
            animations: allElements(doc).filter((el) => ['set', 'animate'].includes(el.localName)).map((el) => el.getAttribute('attributeName')),
        };
    }""", [page, delta])
    assert after["missing"] == 0
    assert after["tags"] == ["tandem-disarmed", "tandem-disarmed", "tandem-disarmed", "animate"]
    assert after["connected"] == [True, True, True, True]
    assert after["child"] is True
    assert after["metaName"] is None
    assert after["href"] is None, "the old href would no longer be the visitor's"
    assert after["policy"] == "no-referrer"
    assert after["animations"] == ["width"]


# ---- Through a real visitor page ----

class RecordingSite(SiteHandler):
    """The test site, recording each request's path and Referer."""

    requests: list = []

    def send_head(self):
        RecordingSite.requests.append((self.path, self.headers.get("Referer")))
        return super().send_head()


@pytest.fixture
def recording_site(tandem):
    RecordingSite.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(RecordingSite, tandem_base=tandem.base))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def armed_animations(agent):
    """SVG animation elements in the mirror that target a link or a handler, or set a script URL."""
    return agent.evaluate(f"""() => Array.from({MIRROR}.contentDocument.querySelectorAll('*'))
        .filter((el) => ['set', 'animate', 'animateMotion', 'animateTransform'].includes(el.localName))
        .filter((el) => {{
            const target = (el.getAttribute('attributeName') || '').trim().toLowerCase();
            const values = ['to', 'from', 'by', 'values'].map((name) => el.getAttribute(name) || '').join(' ').toLowerCase();
            return target.endsWith('href') || target.startsWith('on') || /script:/.test(values);
        }})
        .map((el) => el.outerHTML)""")


def test_a_hostile_visitor_page_cannot_leak_the_session_key_or_arm_links(tandem, recording_site, visitor, agent):
    key = "harden-attack"
    join(tandem, recording_site, visitor, agent, key, "viewer-attack.html")
    frame = mirror(agent)
    expect(frame.locator("#pic-plain")).to_be_attached()
    # The mirror loads the page's images (the visitor did too), never with the viewer's URL.
    agent.wait_for_function(f"""() => ['pic-plain', 'pic-policy'].every((id) => {{
        const img = {MIRROR}.contentDocument.getElementById(id);
        return img && img.complete && img.naturalWidth > 0;
    }})""")
    for path in ("/img/dot.svg?plain", "/img/dot.svg?policy"):
        assert len([r for r in RecordingSite.requests if r[0] == path]) >= 2, (path, RecordingSite.requests)
    leaked = [r for r in RecordingSite.requests if r[1] and (key in r[1] or "/agentjoin" in r[1] or tandem.base in r[1])]
    assert leaked == [], leaked

    assert frame.locator("meta[name=referrer]").count() == 0
    expect(frame.locator("#referrer-meta")).to_be_attached()
    expect(frame.locator("#pic-policy")).to_have_attribute("referrerpolicy", "no-referrer")
    expect(frame.locator("#ping-link")).to_have_attribute("referrerpolicy", "no-referrer")
    assert frame.locator("#ping-link").get_attribute("ping") is None
    for link in ("#tab-link", "#entity-link"):
        assert frame.locator(link).get_attribute("href") is None, link
    srcset = frame.locator("#pic-set").get_attribute("srcset")
    assert srcset is None or "script" not in srcset.lower()
    # The SVG animations that would write a script URL or a handler are not rebuilt (the visitor's
    # side may not even send them); the harmless one is.
    assert armed_animations(agent) == []
    assert frame.locator("#set-fill").evaluate("el => el.localName") == "set"
    assert frame.locator("#svg-link").evaluate("el => el.href.animVal").endswith("/page2.html")

    # The page's script later retargets the harmless animation at the link.
    visitor.evaluate("""() => {
        const set = document.getElementById('set-fill');
        set.setAttribute('to', 'javascript:alert(2)');
        set.setAttribute('attributeName', 'href');
        document.getElementById('title').textContent = 'Retargeted';
    }""")
    expect(frame.locator("#title")).to_have_text("Retargeted")
    assert armed_animations(agent) == []
    assert frame.locator("#svg-link").evaluate("el => el.href.animVal").endswith("/page2.html")
    # And adds a referrer policy later.
    visitor.evaluate("""() => {
        const meta = document.createElement('meta');
        meta.id = 'late-meta'; meta.name = 'referrer'; meta.content = 'unsafe-url';
        document.head.append(meta);
        document.getElementById('pic-plain').setAttribute('referrerpolicy', 'unsafe-url');
        const img = document.createElement('img');
        img.id = 'late-pic'; img.src = 'img/dot.svg?late'; img.referrerPolicy = 'unsafe-url';
        document.body.append(img);
    }""")
    expect(frame.locator("#late-pic")).to_be_attached()
    assert frame.locator("#late-meta").get_attribute("name") is None
    expect(frame.locator("#pic-plain")).to_have_attribute("referrerpolicy", "no-referrer")
    agent.wait_for_function(f"(() => {{ const i = {MIRROR}.contentDocument.getElementById('late-pic'); return i && i.complete; }})()")
    leaked = [r for r in RecordingSite.requests if r[1] and (key in r[1] or "/agentjoin" in r[1] or tandem.base in r[1])]
    assert leaked == [], leaked
