"""Masking follows the DOM as it changes (independent leak suite, written from the specification).

Masking must be decided for every node whose masked state a change can alter, not only for the
node the change touches: an ancestor gaining or losing a class/attribute that a descendant
selector (group `.vault .field`, hook `[data-locked] .acct`) depends on; a node moved into a
masked container, shadow host or frame; typed values under masked ancestors; single-page-app
navigation to and from masked URLs; frames whose URL is masked; content-bearing attributes in
private-by-default mode; and masked boxes whose size changes.

Every byte the server receives from the visitor is recorded (`tandem.captured()`) and searched for
the planted secrets (`…-SECRET-…`, each unique, so a failure names the case). Every test also
plants visible markers next to the secrets, written in the same task or after them, and waits
until they reach the agent's mirror and the capture: a test can never pass because nothing was
captured. Where the specification asks for a visible change (a node shown masked, a moved node
gone from its old place, content shown again), the agent's mirror is checked too."""

import time

import pytest
from conftest import agent_page, mirror, secrets_in, start_session
from playwright.sync_api import expect


@pytest.fixture
def session(tandem, site, visitor, browser):
    """Sets the group's masking (before the server starts), opens `page` in the visitor, starts a
    session with `key` and returns an agent page joined to it."""
    agents = []

    def open_session(page: str, key: str, *group_args: str):
        if group_args:
            tandem.cli("group", "set", "--id", "1", *group_args)
        tandem.start()
        visitor.goto(f"{site}/{page}")
        start_session(visitor, repr(key))
        agent = agent_page(browser, tandem)
        agents.append(agent)
        agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
        return agent

    yield open_session
    for agent in agents:
        agent.context.close()


def typed_marker(visitor, agent, value: str, selector: str = "#plain") -> None:
    """A value typed into an unmasked field after the masked typing: once the agent has it, the
    typing before it has been captured (typed values do reach the server)."""
    visitor.fill(selector, value)
    expect(mirror(agent).locator(selector)).to_have_value(value)


class Findings:
    """Collects what is wrong, so one run reports every leak and every missing visible change
    (a failed mirror check does not hide the leak check that follows it, nor the reverse)."""

    def __init__(self, tandem):
        self.tandem = tandem
        self.problems: list[str] = []
        self.reported: set[str] = set()

    def check(self, label: str, assertion) -> bool:
        try:
            assertion()
            return True
        except AssertionError as error:
            self.problems.append(f"{label}: {str(error).splitlines()[0]}")
            return False

    def expect_masked(self, agent, *selectors: str) -> None:
        for selector in selectors:
            self.check(f"mirror {selector} not shown masked", lambda: expect(mirror(agent).locator(selector)).to_have_attribute(
                "data-tandem-masked", "", timeout=3000))

    def no_leak(self, *markers: str) -> bytes:
        """The visible markers are in the capture (it works; else the test is void and stops here)
        and no planted secret is."""
        data = self.tandem.captured()
        missing = [m for m in markers if m.encode() not in data]
        assert not missing, f"the capture lacks the visible markers {missing}: the test would prove nothing"
        leaked = [s for s in secrets_in(data) if s not in self.reported]
        if leaked:
            self.reported.update(leaked)
            self.problems.append(f"secrets reached the server: {leaked}")
        return data

    def absent(self, data: bytes, needle: str, what: str) -> None:
        if needle.encode() in data:
            self.problems.append(f"{what} was sent: {needle!r}")

    def done(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def expect_masked(agent, *selectors: str) -> None:
    """A precondition (masking that works without any change): fails the test at once."""
    for selector in selectors:
        expect(mirror(agent).locator(selector)).to_have_attribute("data-tandem-masked", "")


def mirror_scale(agent) -> float:
    return float(agent.evaluate("Number(document.getElementById('screen').dataset.scale || 1)"))


def eventually(check, timeout: float = 6.0):
    """Polls `check() -> (ok, detail)` until ok; fails with the last detail."""
    deadline = time.time() + timeout
    while True:
        ok, detail = check()
        if ok:
            return detail
        if time.time() > deadline:
            raise AssertionError(detail)
        time.sleep(0.1)


# ---- An ancestor's class or attribute changes what a descendant selector matches ----

ANCESTOR_GROUP = ("--mask", ".vault .field")


def test_ancestor_gains_class_masks_nodes_below(session, tandem, visitor):
    agent = session("leak-ancestor.html", "anc-gain", *ANCESTOR_GROUP)
    m, f = mirror(agent), Findings(tandem)
    # Before: nothing under #outer matches ".vault .field"; text, shadow DOM, the frame and typed
    # values there reach the agent (every channel the secrets use below is captured).
    expect(m.locator("#f1")).to_have_text("FIELD-ONE-OK")
    expect(m.locator("#deep")).to_have_text("DEEP-OK")
    expect(m.locator("#sp")).to_have_text("SHADOW-OK")
    expect(m.frame_locator("#fframe").locator("#fp")).to_have_text("FRAME-OK")
    expect_masked(agent, "#h1")  # the rule itself works (#outer3 has "vault" from the start)
    visitor.fill("#si", "SHADOW-TYPED-OK")
    visitor.frame_locator("#fframe").locator("#fi").fill("FRAME-TYPED-OK")
    expect(m.locator("#si")).to_have_value("SHADOW-TYPED-OK")
    expect(m.frame_locator("#fframe").locator("#fi")).to_have_value("FRAME-TYPED-OK")

    # The ancestor gains "vault" (its own task, relayed before anything else changes).
    visitor.evaluate("() => { document.getElementById('outer').classList.add('vault'); mark('STEP-ONE-OK', 'm1'); }")
    expect(m.locator("#m1")).to_have_text("STEP-ONE-OK")
    # At once, the agent sees every node below it masked (a box, nothing inside).
    f.expect_masked(agent, "#f1", "#fin", "#fbox", "#fhost", "#fframe")

    # Later, scripts change text, attributes and children below it...
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('f1').textContent = 'ANCESTOR-SECRET-A1';
        $('f1').setAttribute('title', 'ANCESTOR-SECRET-A2');
        $('deep').textContent = 'ANCESTOR-SECRET-A3';
        const s = document.createElement('span'); s.textContent = 'ANCESTOR-SECRET-A4'; $('fbox').appendChild(s);
        $('fhost').shadowRoot.getElementById('sp').textContent = 'ANCESTOR-SECRET-A5';
        $('fframe').contentDocument.getElementById('fp').textContent = 'ANCESTOR-SECRET-A6';
        mark('STEP-TWO-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("STEP-TWO-OK")
    # ...the visitor types (Playwright fill, and key by key), scripts set values.
    visitor.fill("#fin", "ANCESTOR-SECRET-A7")
    visitor.locator("#deep-in").press_sequentially("ANCESTOR-SECRET-A8")
    visitor.fill("#si", "ANCESTOR-SECRET-A9")
    visitor.frame_locator("#fframe").locator("#fi").fill("ANCESTOR-SECRET-AA")
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('fin').value = 'ANCESTOR-SECRET-AB';
        $('deep-in').value = 'ANCESTOR-SECRET-AC';
        $('deep-in').dispatchEvent(new Event('input', { bubbles: true }));
        $('fhost').shadowRoot.getElementById('si').value = 'ANCESTOR-SECRET-AD';
        $('fframe').contentDocument.getElementById('fi').value = 'ANCESTOR-SECRET-AE';
    }""")
    typed_marker(visitor, agent, "PLAIN-TYPED-OK")
    visitor.wait_for_timeout(400)

    f.no_leak("ANCESTOR-PAGE-OK", "STEP-TWO-OK", "PLAIN-TYPED-OK", "SHADOW-TYPED-OK", "FRAME-TYPED-OK")
    f.check("mirror #f1 still shows content", lambda: expect(m.locator("#f1")).to_have_text("", timeout=3000))
    f.check("mirror still shows #deep", lambda: expect(m.locator("#deep")).to_have_count(0, timeout=3000))
    f.check("mirror still shows the shadow content", lambda: expect(m.locator("#sp")).to_have_count(0, timeout=3000))
    f.done()


def test_ancestor_change_and_text_change_in_the_same_task(session, tandem, visitor):
    agent = session("leak-ancestor.html", "anc-same", *ANCESTOR_GROUP)
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#f1")).to_have_text("FIELD-ONE-OK")
    expect(m.locator("#g1")).to_have_text("FIELD-TWO-OK")
    expect(m.locator("#sp")).to_have_text("SHADOW-OK")
    expect(m.frame_locator("#fframe").locator("#fp")).to_have_text("FRAME-OK")

    # One task: the class first, then content below it; and (#outer2) the content first, then
    # the class. The visible marker is written in the same task.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('outer').classList.add('vault');
        $('f1').textContent = 'SAMETASK-SECRET-B1';
        $('f1').setAttribute('data-acct', 'SAMETASK-SECRET-B2');
        $('deep').textContent = 'SAMETASK-SECRET-B3';
        $('fin').value = 'SAMETASK-SECRET-B4';
        $('fhost').shadowRoot.getElementById('sp').textContent = 'SAMETASK-SECRET-B5';
        $('fframe').contentDocument.getElementById('fp').textContent = 'SAMETASK-SECRET-B6';
        $('g1').textContent = 'SAMETASK-SECRET-B7';
        $('outer2').classList.add('vault');
        mark('SAME-TASK-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("SAME-TASK-OK")
    visitor.fill("#gin", "SAMETASK-SECRET-B8")
    typed_marker(visitor, agent, "SAME-TASK-TYPED-OK")
    visitor.wait_for_timeout(400)

    f.no_leak("ANCESTOR-PAGE-OK", "SAME-TASK-OK", "SAME-TASK-TYPED-OK")
    f.expect_masked(agent, "#f1", "#fin", "#fbox", "#fhost", "#fframe", "#g1", "#gin")
    f.done()


def test_ancestor_loses_class_shows_content_again(session, tandem, visitor):
    agent = session("leak-ancestor.html", "anc-lose", *ANCESTOR_GROUP)
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#f1")).to_have_text("FIELD-ONE-OK")
    expect_masked(agent, "#h1", "#hin")

    # While masked: typing and new content stay home.
    visitor.fill("#hin", "UNMASK-SECRET-C2")
    visitor.evaluate("""() => {
        document.getElementById('h1').textContent = 'REVEALED-TEXT-OK';
        document.getElementById('hin').value = 'REVEALED-VALUE-OK';
        mark('BEFORE-REVEAL-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("BEFORE-REVEAL-OK")
    visitor.wait_for_timeout(300)
    data = f.no_leak("BEFORE-REVEAL-OK")
    f.absent(data, "REVEALED-TEXT-OK", "text of a still-masked node")
    f.absent(data, "REVEALED-VALUE-OK", "value of a still-masked field")

    # The ancestor loses "vault": the nodes below show again, with their current content, and
    # follow later changes.
    visitor.evaluate("() => { document.getElementById('outer3').classList.remove('vault'); mark('REVEAL-OK', 'm2'); }")
    expect(m.locator("#m2")).to_have_text("REVEAL-OK")
    f.check("mirror #h1 not shown again", lambda: expect(m.locator("#h1")).to_have_text("REVEALED-TEXT-OK"))
    f.check("mirror #h1 still masked", lambda: expect(m.locator("#h1")).not_to_have_attribute("data-tandem-masked", "", timeout=3000))
    f.check("mirror #hin still masked", lambda: expect(m.locator("#hin")).not_to_have_attribute("data-tandem-masked", "", timeout=3000))
    f.check("mirror #hin value not shown again", lambda: expect(m.locator("#hin")).to_have_value("REVEALED-VALUE-OK", timeout=3000))
    visitor.evaluate("() => { document.getElementById('h1').textContent = 'REVEALED-LATER-OK'; mark('AFTER-REVEAL-OK', 'm3'); }")
    expect(m.locator("#m3")).to_have_text("AFTER-REVEAL-OK")
    f.check("mirror #h1 does not follow later changes", lambda: expect(m.locator("#h1")).to_have_text("REVEALED-LATER-OK", timeout=3000))
    visitor.wait_for_timeout(300)
    f.no_leak("AFTER-REVEAL-OK")
    f.done()


def test_hook_selector_follows_ancestor_attribute(session, tandem, visitor):
    # The page's getMaskingDescriptor returns {maskedelements: ['[data-locked] .acct']}.
    agent = session("leak-ancestor-hook.html", "hook-anc")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#acct")).to_have_text("HOOK-ACCT-OK")
    expect(m.locator("#acct-deep")).to_have_text("HOOK-DEEP-OK")

    visitor.evaluate("() => { document.getElementById('panel').setAttribute('data-locked', ''); mark('LOCKED-OK', 'm1'); }")
    expect(m.locator("#m1")).to_have_text("LOCKED-OK")
    f.expect_masked(agent, "#acct", "#acct-in", "#acct-box")
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('acct').textContent = 'HOOKANC-SECRET-K1';
        $('acct').setAttribute('title', 'HOOKANC-SECRET-K2');
        $('acct-deep').textContent = 'HOOKANC-SECRET-K3';
        mark('LOCKED-CHANGES-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("LOCKED-CHANGES-OK")
    visitor.fill("#acct-in", "HOOKANC-SECRET-K4")
    visitor.locator("#acct-deep-in").press_sequentially("HOOKANC-SECRET-K5")
    visitor.evaluate("() => { document.getElementById('acct-in').value = 'HOOKANC-SECRET-K6'; }")
    typed_marker(visitor, agent, "HOOK-PLAIN-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("HOOK-PAGE-OK", "LOCKED-CHANGES-OK", "HOOK-PLAIN-OK")

    # The ancestor loses the attribute (the secrets replaced first): shown again.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('acct').textContent = 'UNLOCKED-TEXT-OK';
        $('acct').removeAttribute('title');
        $('acct-deep').textContent = 'UNLOCKED-DEEP-OK';
        $('acct-in').value = '';
        $('acct-deep-in').value = '';
        $('panel').removeAttribute('data-locked');
        mark('UNLOCKED-OK', 'm3');
    }""")
    expect(m.locator("#m3")).to_have_text("UNLOCKED-OK")
    f.check("mirror #acct not shown again", lambda: expect(m.locator("#acct")).to_have_text("UNLOCKED-TEXT-OK"))
    f.check("mirror #acct-deep not shown again", lambda: expect(m.locator("#acct-deep")).to_have_text("UNLOCKED-DEEP-OK", timeout=3000))
    f.check("mirror #acct still masked", lambda: expect(m.locator("#acct")).not_to_have_attribute("data-tandem-masked", "", timeout=3000))
    visitor.wait_for_timeout(300)
    f.no_leak("UNLOCKED-OK")
    f.done()


# ---- Nodes moved into masked places ----

def test_moved_into_masked_container(session, tandem, visitor):
    agent = session("leak-move.html", "move-box")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#from #mover")).to_have_text("MOVER-OK")
    expect(m.locator("#from-text")).to_have_text("LOOSE-TEXT-OK")
    expect(m.locator("#from2 #mover2")).to_have_text("MOVER-TWO-OK")
    expect_masked(agent, "#safe")

    # An element, an input and a bare text node move into the masked container.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        window.movedText = $('from-text').firstChild;
        $('safe').append($('mover'), $('mover-in'), window.movedText);
        mark('MOVED-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("MOVED-OK")
    # The move reaches the agent: nothing left in the old places, nothing shown in the box.
    f.check("the moved element still shows in its old place", lambda: expect(m.locator("#from #mover")).to_have_count(0, timeout=3000))
    f.check("the moved input still shows in its old place", lambda: expect(m.locator("#from #mover-in")).to_have_count(0, timeout=3000))
    f.check("the moved text still shows in its old place", lambda: expect(m.locator("#from-text")).to_have_text("", timeout=3000))
    f.check("the moved element shows in the mirror", lambda: expect(m.locator("#mover")).to_have_count(0, timeout=3000))
    f.expect_masked(agent, "#safe")

    # Later changes to the moved nodes; typing into the moved input.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('mover').textContent = 'MOVED-SECRET-M1';
        $('mover').setAttribute('title', 'MOVED-SECRET-M2');
        window.movedText.data = 'MOVED-SECRET-M3';
        const s = document.createElement('b'); s.textContent = 'MOVED-SECRET-M4'; $('mover').after(s);
        mark('MOVED-CHANGES-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("MOVED-CHANGES-OK")
    visitor.fill("#mover-in", "MOVED-SECRET-M5")
    visitor.evaluate("() => { document.getElementById('mover-in').value = 'MOVED-SECRET-M6'; }")

    # Moved and changed in the same task.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('safe').appendChild($('mover2'));
        $('mover2').textContent = 'MOVED-SECRET-M7';
        mark('MOVED-SAME-TASK-OK', 'm3');
    }""")
    expect(m.locator("#m3")).to_have_text("MOVED-SAME-TASK-OK")
    f.check("#mover2 still shows in its old place", lambda: expect(m.locator("#from2 #mover2")).to_have_count(0, timeout=3000))
    typed_marker(visitor, agent, "MOVE-PLAIN-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("MOVE-PAGE-OK", "MOVED-CHANGES-OK", "MOVED-SAME-TASK-OK", "MOVE-PLAIN-OK")
    f.done()


def test_moved_into_masked_shadow_host(session, tandem, visitor):
    agent = session("leak-move.html", "move-shadow")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#from3 #mover3")).to_have_text("MOVER-THREE-OK")
    expect_masked(agent, "#shost")

    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        const root = $('shost').shadowRoot;
        root.appendChild($('mover3'));
        root.getElementById('sdrop').appendChild($('mover3-in'));
        mark('SHADOW-MOVED-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("SHADOW-MOVED-OK")
    f.check("the moved element still shows in its old place", lambda: expect(m.locator("#from3 #mover3")).to_have_count(0, timeout=3000))
    f.check("the moved input still shows in its old place", lambda: expect(m.locator("#from3 #mover3-in")).to_have_count(0, timeout=3000))
    f.check("the moved element shows in the mirror", lambda: expect(m.locator("#mover3")).to_have_count(0, timeout=3000))

    visitor.evaluate("""() => {
        const root = document.getElementById('shost').shadowRoot;
        root.getElementById('mover3').textContent = 'SHADOWMOVE-SECRET-S1';
        root.getElementById('mover3').setAttribute('aria-label', 'SHADOWMOVE-SECRET-S2');
        mark('SHADOW-CHANGES-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("SHADOW-CHANGES-OK")
    visitor.fill("#mover3-in", "SHADOWMOVE-SECRET-S3")  # Playwright's CSS pierces the open root
    visitor.evaluate("() => { document.getElementById('shost').shadowRoot.getElementById('mover3-in').value = 'SHADOWMOVE-SECRET-S4'; }")
    typed_marker(visitor, agent, "SHADOW-PLAIN-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("MOVE-PAGE-OK", "SHADOW-CHANGES-OK", "SHADOW-PLAIN-OK")
    f.done()


def test_moved_into_masked_frame(session, tandem, visitor):
    agent = session("leak-move.html", "move-frame")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#from4 #mover4")).to_have_text("MOVER-FOUR-OK")
    expect_masked(agent, "#mframe")
    visitor.wait_for_function("""() => {
        const d = document.getElementById('mframe').contentDocument;
        return !!(d && d.readyState === 'complete' && d.getElementById('inner-drop'));
    }""")

    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        const d = $('mframe').contentDocument;
        d.getElementById('inner-drop').appendChild($('mover4'));
        d.body.appendChild($('mover4-in'));
        mark('FRAME-MOVED-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("FRAME-MOVED-OK")
    f.check("the moved element still shows in its old place", lambda: expect(m.locator("#from4 #mover4")).to_have_count(0, timeout=3000))
    f.check("the moved input still shows in its old place", lambda: expect(m.locator("#from4 #mover4-in")).to_have_count(0, timeout=3000))

    visitor.evaluate("""() => {
        const d = document.getElementById('mframe').contentDocument;
        d.getElementById('mover4').textContent = 'FRAMEMOVE-SECRET-T1';
        d.getElementById('mover4').setAttribute('data-acct', 'FRAMEMOVE-SECRET-T2');
        mark('FRAME-CHANGES-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("FRAME-CHANGES-OK")
    visitor.frame_locator("#mframe").locator("#mover4-in").fill("FRAMEMOVE-SECRET-T3")
    visitor.evaluate("() => { document.getElementById('mframe').contentDocument.getElementById('mover4-in').value = 'FRAMEMOVE-SECRET-T4'; }")
    typed_marker(visitor, agent, "FRAME-PLAIN-OK")
    visitor.wait_for_timeout(400)
    data = f.no_leak("MOVE-PAGE-OK", "FRAME-CHANGES-OK", "FRAME-PLAIN-OK")
    f.absent(data, "INNER-FRAME-TEXT", "the masked frame's own content")
    f.done()


# ---- Typed values under masked ancestors, shadow hosts and frames ----

def test_typing_into_fields_under_masked_ancestors(session, tandem, visitor):
    agent = session("leak-typing.html", "typing", "--mask", "#formbox")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#top")).to_have_text("TYPING-PAGE-OK")
    expect_masked(agent, "#formbox", "#shost", "#tframe")

    visitor.fill("#card-in", "TYPEDANC-SECRET-T1")
    visitor.locator("#card-notes").press_sequentially("TYPEDANC-SECRET-T2")
    visitor.locator("#card-ce").press_sequentially("TYPEDANC-SECRET-T3")
    visitor.fill("#card-deep", "TYPEDANC-SECRET-T4")
    visitor.locator("#sh-in").press_sequentially("TYPEDANC-SECRET-T5")
    visitor.frame_locator("#tframe").locator("#inner-in").press_sequentially("TYPEDANC-SECRET-T6")
    # Script-set values, bare and framework-style (value, then an input/change event).
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('card-in').value = 'TYPEDANC-SECRET-T7';
        $('card-notes').value = 'TYPEDANC-SECRET-T8';
        $('card-notes').dispatchEvent(new Event('input', { bubbles: true }));
        $('card-deep').setAttribute('value', 'TYPEDANC-SECRET-T9');
        $('shost').shadowRoot.getElementById('sh-in').value = 'TYPEDANC-SECRET-TA';
        const inner = $('tframe').contentDocument.getElementById('inner-in');
        inner.value = 'TYPEDANC-SECRET-TB';
        inner.dispatchEvent(new Event('change', { bubbles: true }));
        mark('TYPING-DONE-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("TYPING-DONE-OK")
    typed_marker(visitor, agent, "TYPING-PLAIN-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("TYPING-PAGE-OK", "TYPING-DONE-OK", "TYPING-PLAIN-OK")
    f.done()


# ---- Single-page-app navigation runs the URL rules again ----

SPA_GROUP = ("--masked-page", "*/leak-spa-secret*", "--masked-page", "*#/vault*")


def home_shown(f, visitor, agent, when: str) -> str:
    """The agent shows the home route as the visitor has it now (a fresh render: the visit count
    in the text), without the masked-page cover."""
    text = visitor.locator("#home").inner_text()
    f.check(f"{when}: the mirror does not show the home route again",
            lambda: expect(mirror(agent).locator("#home")).to_have_text(text))
    f.check(f"{when}: the masked-page cover stays", lambda: expect(agent.locator("#cover")).to_be_hidden(timeout=3000))
    return text


def page_masked(f, agent, when: str) -> None:
    f.check(f"{when}: the agent does not show the page masked", lambda: expect(agent.locator("#cover")).to_be_visible())
    f.check(f"{when}: the cover does not say masked", lambda: expect(agent.locator("#cover")).to_contain_text("masked", timeout=1000))


def test_spa_push_state_to_masked_url_and_back(session, tandem, visitor):
    agent = session("leak-spa.html", "spa-push", *SPA_GROUP)
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#home")).to_have_text("SPA-HOME-OK visit 1")

    # A router: pushState to an account URL, then render it, in the same task.
    visitor.evaluate("() => { history.pushState({}, '', '/leak-spa-secret?acct=URL-SECRET-Q1'); render(); }")
    page_masked(f, agent, "after pushState")
    f.check("the account route shows in the mirror", lambda: expect(m.locator("#acct")).to_have_count(0, timeout=1000))
    # On the masked page: typing, a script value, later content.
    visitor.fill("#acct-in", "SPA-TYPED-SECRET-Q4")
    visitor.evaluate("""() => {
        document.getElementById('acct-in').value = 'SPA-SCRIPTVALUE-SECRET-Q5';
        document.getElementById('app').insertAdjacentHTML('beforeend', '<p>SPA-LATER-SECRET-Q7</p>');
    }""")
    visitor.wait_for_timeout(300)

    # popstate (history.back()) to the unmasked home: shown again.
    visitor.evaluate("history.back()")
    visitor.wait_for_function("location.pathname.endsWith('/leak-spa.html')")
    second = home_shown(f, visitor, agent, "after history.back()")
    # popstate forward into the masked URL (the app renders the account in its popstate handler).
    visitor.evaluate("history.forward()")
    visitor.wait_for_function("location.pathname.startsWith('/leak-spa-secret')")
    page_masked(f, agent, "after history.forward()")
    visitor.evaluate("history.back()")
    visitor.wait_for_function("location.pathname.endsWith('/leak-spa.html')")
    third = home_shown(f, visitor, agent, "after the second history.back()")
    assert third != second
    visitor.wait_for_timeout(400)

    data = f.no_leak("SPA-NAV-OK", "SPA-HOME-OK visit 1", third)
    f.absent(data, "leak-spa-secret", "the masked URL")
    f.done()


def test_spa_replace_state_to_masked_url_and_back(session, tandem, visitor):
    agent = session("leak-spa.html", "spa-replace", *SPA_GROUP)
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#home")).to_have_text("SPA-HOME-OK visit 1")

    visitor.evaluate("""() => {
        history.replaceState({}, '', '/leak-spa-secret/r?acct=URL-SECRET-R1');
        render();
        document.getElementById('app').insertAdjacentHTML('beforeend', '<p>SPA-REPLACE-SECRET-R2</p>');
    }""")
    page_masked(f, agent, "after replaceState")
    visitor.evaluate("() => { document.getElementById('app').insertAdjacentHTML('beforeend', '<p>SPA-REPLACE-SECRET-R3</p>'); }")
    visitor.wait_for_timeout(300)

    visitor.evaluate("() => { history.replaceState({}, '', '/leak-spa.html?tab=2'); render(); }")
    again = home_shown(f, visitor, agent, "after replaceState back")
    visitor.wait_for_timeout(400)
    data = f.no_leak("SPA-NAV-OK", "SPA-HOME-OK visit 1", again)
    f.absent(data, "leak-spa-secret", "the masked URL")
    f.done()


def test_spa_hashchange_to_masked_url_and_back(session, tandem, visitor):
    agent = session("leak-spa.html", "spa-hash", *SPA_GROUP)
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#home")).to_have_text("SPA-HOME-OK visit 1")

    # The app renders the vault in its hashchange (and popstate) handler.
    visitor.evaluate("() => { location.hash = '#/vault?acct=HASH-SECRET-H1'; }")
    visitor.wait_for_function("!!document.getElementById('vault')")
    page_masked(f, agent, "after the hash change")
    visitor.fill("#vault-in", "SPA-HASHTYPED-SECRET-H4")
    visitor.wait_for_timeout(300)

    visitor.evaluate("() => { location.hash = '#/home'; }")
    visitor.wait_for_function("!!document.getElementById('home')")
    again = home_shown(f, visitor, agent, "after the hash change back")
    visitor.wait_for_timeout(400)
    data = f.no_leak("SPA-NAV-OK", "SPA-HOME-OK visit 1", again)
    f.absent(data, "#/vault", "the masked URL")
    f.done()


# ---- Same-origin frames whose URL is masked ----

def test_frame_masked_by_url_rules(session, tandem, visitor):
    agent = session("leak-frames.html", "frames", "--masked-page", "*/leak-frame-secret.html*")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#top")).to_have_text("FRAMES-PAGE-OK")
    # An unmasked same-origin frame is mirrored, typing in it too (the channels work).
    expect(m.frame_locator("#oframe").locator("#inner-text")).to_have_text("INNER-FRAME-TEXT")
    visitor.frame_locator("#oframe").locator("#inner-in").fill("OFRAME-TYPED-OK")
    expect(m.frame_locator("#oframe").locator("#inner-in")).to_have_value("OFRAME-TYPED-OK")
    f.expect_masked(agent, "#sframe")

    # The frame at a masked URL: its content, typed values and later changes stay home.
    visitor.frame_locator("#sframe").locator("#fs-in").fill("FRAMEURL-SECRET-F3")
    visitor.evaluate("""() => {
        const d = document.getElementById('sframe').contentDocument;
        d.getElementById('fs-in').value = 'FRAMEURL-SECRET-F4';
        d.getElementById('fs-drop').textContent = 'FRAMEURL-SECRET-F5';
        const p = d.createElement('p'); p.title = 'FRAMEURL-SECRET-F6'; p.textContent = 'x'; d.body.appendChild(p);
        mark('FRAME-CHANGES-OK', 'm1');
    }""")
    expect(m.locator("#m1")).to_have_text("FRAME-CHANGES-OK")

    # The unmasked frame navigates itself to a masked URL: masked from then on.
    visitor.evaluate("() => { document.getElementById('oframe').contentWindow.location.href = 'leak-frame-secret.html?acct=FRAMENAV-SECRET-F7'; }")
    visitor.wait_for_function("""() => {
        const d = document.getElementById('oframe').contentDocument;
        return !!(d && d.readyState === 'complete' && d.getElementById('fs'));
    }""")
    visitor.frame_locator("#oframe").locator("#fs-in").fill("FRAMENAV-SECRET-F8")
    visitor.evaluate("""() => {
        document.getElementById('oframe').contentDocument.getElementById('fs-drop').textContent = 'FRAMENAV-SECRET-F9';
        mark('FRAME-NAV-OK', 'm2');
    }""")
    expect(m.locator("#m2")).to_have_text("FRAME-NAV-OK")
    f.expect_masked(agent, "#oframe")
    typed_marker(visitor, agent, "FRAMES-PLAIN-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("FRAMES-PAGE-OK", "INNER-FRAME-TEXT", "OFRAME-TYPED-OK", "FRAME-NAV-OK", "FRAMES-PLAIN-OK")
    f.done()


# ---- Private by default: content-bearing attributes ----

def test_private_by_default_hides_content_attributes(session, tandem, visitor):
    agent = session("leak-private.html", "private-attrs", "--private-by-default", "true", "--visible", "#shown")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#shown-text")).to_have_text("PRIVATE-SHOWN-OK")
    # Inside the visible selector, attributes do travel.
    expect(m.locator("#shown")).to_have_attribute("title", "SHOWN-TITLE-OK")
    expect(m.locator("#shown")).to_have_attribute("data-note", "SHOWN-DATA-OK")

    # Attributes written later, on existing and new elements outside the visible selector.
    visitor.evaluate("""() => {
        const $ = (id) => document.getElementById(id);
        $('nav').setAttribute('title', 'PRIVDYN-SECRET-D1');
        $('sec').setAttribute('data-balance', 'PRIVDYN-SECRET-D2');
        $('ptitle').setAttribute('aria-label', 'PRIVDYN-SECRET-D3');
        $('lnk').setAttribute('href', '/acct?x=PRIVDYN-SECRET-D4');
        $('im').setAttribute('alt', 'PRIVDYN-SECRET-D5');
        $('dyn').innerHTML = '<div title="PRIVDYN-SECRET-D6" data-k="PRIVDYN-SECRET-D7" aria-label="PRIVDYN-SECRET-D8">'
            + '<a href="/p?q=PRIVDYN-SECRET-D9"><span></span></a>'
            + '<img src="img/dot.svg?PRIVDYN-SECRET-DA" alt="PRIVDYN-SECRET-DB" width="10" height="10">'
            + '<input placeholder="PRIVDYN-SECRET-DC" aria-placeholder="PRIVDYN-SECRET-DD"></div>';
        $('shown-text').textContent = 'PRIVATE-SHOWN-LATER-OK';
    }""")
    expect(m.locator("#shown-text")).to_have_text("PRIVATE-SHOWN-LATER-OK")
    visitor.wait_for_timeout(400)
    f.no_leak("PRIVATE-SHOWN-OK", "SHOWN-TITLE-OK", "SHOWN-DATA-OK", "PRIVATE-SHOWN-LATER-OK")
    f.done()


# ---- A masked box follows the size of its element ----

def test_masked_box_follows_element_size(session, tandem, visitor):
    agent = session("leak-grow.html", "grow")
    m, f = mirror(agent), Findings(tandem)
    expect(m.locator("#top")).to_have_text("GROW-PAGE-OK")
    expect_masked(agent, "#editor", "#panel")

    def height(selector):
        want = visitor.locator(selector).bounding_box()
        got = m.locator(selector).bounding_box()
        got_h = got["height"] / mirror_scale(agent) if got else None
        ok = got_h is not None and abs(got_h - want["height"]) <= 1.5
        return ok, f"{selector}: visitor height {want['height']:.1f}, mirror height {got_h}"

    def below():
        want = visitor.locator("#after").bounding_box()["y"] - visitor.locator("#top").bounding_box()["y"]
        got = (m.locator("#after").bounding_box()["y"] - m.locator("#top").bounding_box()["y"]) / mirror_scale(agent)
        return abs(got - want) <= 2, f"#after below #top: visitor {want:.1f}, mirror {got:.1f}"

    eventually(lambda: height("#editor"))  # the same size to begin with
    eventually(below)
    start_height = visitor.locator("#editor").bounding_box()["height"]

    # The visitor types several lines into the masked contenteditable: it grows.
    visitor.click("#editor")
    for line in range(1, 7):
        visitor.keyboard.type(f"GROW-SECRET-L{line}")
        visitor.keyboard.press("Enter")
    grown = visitor.locator("#editor").bounding_box()["height"]
    assert grown >= start_height + 60, (start_height, grown)
    # A script resizes another masked element.
    visitor.evaluate("() => { document.getElementById('panel').style.height = '90px'; mark('GROW-MARKER-OK', 'm1'); }")
    expect(m.locator("#m1")).to_have_text("GROW-MARKER-OK")

    f.check("the grown contenteditable", lambda: eventually(lambda: height("#editor")))
    f.check("the resized panel", lambda: eventually(lambda: height("#panel"), timeout=3))
    f.check("what follows the boxes", lambda: eventually(below, timeout=3))
    expect_masked(agent, "#editor", "#panel")
    visitor.wait_for_timeout(400)
    f.no_leak("GROW-PAGE-OK", "AFTER-EDITOR-OK", "GROW-MARKER-OK")
    f.done()
