"""A page that patched `parentNode`/`parentElement` to hide an ancestor leaks nothing when that
ancestor becomes masked and content inside it changes in the same task (issue #14). The nodes of
a newly masked element leave the mirror, which already stops this; masking's upward walk
(`outerParent`) also reads the browser's own getters now, as a second line. This test guards the
property, it does not single out that line (it passes without it)."""

from conftest import mirror, secrets_in, start_session
from playwright.sync_api import expect


def test_patched_parent_getters_cannot_hide_a_masked_ancestor(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--mask", ".vault")
    tandem.start()
    visitor.goto(f"{site}/leak-patched.html")
    start_session(visitor, "'patched-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=patched-1")
    expect(mirror(agent).locator("#inside")).to_have_text("nothing yet")
    # The element becomes masked (a class the group's selector matches), and in the same task its
    # content changes: masking has to walk up from the changed nodes to find it.
    visitor.evaluate("""() => {
        document.getElementById('vault').className = 'vault';
        const inside = document.getElementById('inside');
        inside.firstChild.data = 'VAULT-SECRET-TEXT1';
        const added = document.createElement('span');
        added.textContent = 'VAULT-SECRET-ADDED2';
        inside.appendChild(added);
        inside.setAttribute('title', 'VAULT-SECRET-ATTR3');
        document.getElementById('marker').textContent = 'marker 1';
    }""")
    expect(mirror(agent).locator("#marker")).to_have_text("marker 1")
    expect(mirror(agent).locator("#vault[data-tandem-masked]")).to_have_count(1)
    assert b"marker 1" in tandem.captured()
    assert secrets_in(tandem.captured()) == []
