"""Calls through coturn with TURN REST credentials, in real Chromium and without Tandem: two peer
connections in one page, relay-only (iceTransportPolicy "relay"), so anything that connects went
through the TURN server. Valid credentials connect over relay candidates on both sides (data channel,
and the fake camera's frames decoded); expired credentials and a wrong password gather no relay
candidate, report an ICE candidate error and never connect."""

import pytest

# Any page on http://127.0.0.1 is a secure context (WebRTC, getUserMedia); Playwright serves this one.
PAGE_URL = "http://127.0.0.1:9/turn-test"


@pytest.fixture
def page(browser):
    context = browser.new_context()
    p = context.new_page()
    p.route(PAGE_URL, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>turn</title>"))
    p.goto(PAGE_URL)
    yield p
    context.close()


# Two relay-only peer connections, connected to each other through the TURN server.
# Returns what happened: ICE candidates gathered (types), candidate errors, the final connection
# state, the selected candidate pair's local and remote types, data channel echo and frames decoded.
CALL = """async ({iceServers, video, connectMs}) => {
  const config = {iceServers, iceTransportPolicy: 'relay'};
  const a = new RTCPeerConnection(config), b = new RTCPeerConnection(config);
  const result = {candidates: {a: [], b: []}, errors: [], state: null};
  const gathered = {};
  for (const [name, pc, other] of [['a', a, b], ['b', b, a]]) {
    gathered[name] = new Promise(resolve => {
      pc.onicecandidate = e => {
        if (!e.candidate) return resolve();
        if (e.candidate.candidate) {
          result.candidates[name].push(e.candidate.type);
          other.addIceCandidate(e.candidate).catch(() => {});
        }
      };
    });
    pc.onicecandidateerror = e => result.errors.push(
      {pc: name, errorCode: e.errorCode, errorText: e.errorText, url: e.url});
  }
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const bounded = (promise, ms) => Promise.race([promise, sleep(ms).then(() => 'timeout')]);
  const connected = pc => new Promise(resolve => {
    const check = () => {
      if (['connected', 'failed', 'closed'].includes(pc.connectionState)) resolve(pc.connectionState);
    };
    pc.addEventListener('connectionstatechange', check); check();
  });

  const channel = a.createDataChannel('probe');
  const echoed = new Promise(resolve => {
    b.ondatachannel = e => { e.channel.onmessage = m => e.channel.send('echo:' + m.data); };
    channel.onmessage = m => resolve(m.data);
  });
  let stream = null;
  if (video) {
    stream = await navigator.mediaDevices.getUserMedia({video: {width: 320, height: 240}});
    for (const track of stream.getTracks()) a.addTrack(track, stream);
  }
  const received = new Promise(resolve => { b.ontrack = e => resolve(e.track); });

  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription);

  result.state = await bounded(Promise.all([connected(a), connected(b)]).then(s => s.join(',')), connectMs);
  result.gathering = await bounded(Promise.all([gathered.a, gathered.b]).then(() => 'complete'), 2000);
  result.finalStates = [a.connectionState, b.connectionState];

  if (result.state === 'connected,connected') {
    const stats = await a.getStats();
    let pair = null;
    stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
    if (!pair) stats.forEach(s => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s; });
    if (pair) {
      const local = stats.get(pair.localCandidateId), remote = stats.get(pair.remoteCandidateId);
      result.pair = {local: local.candidateType, remote: remote.candidateType,
                     localRelayProtocol: local.relayProtocol, localUrl: local.url};
    }
    channel.readyState === 'open' || await bounded(new Promise(r => channel.onopen = r), 5000);
    channel.send('ping');
    result.echo = await bounded(echoed, 5000);
    if (video) {
      await bounded(received, 5000);
      const decoded = async () => {
        let n = 0;
        (await b.getStats()).forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'video') n = s.framesDecoded || 0; });
        return n;
      };
      const first = await decoded();
      await sleep(1500);
      result.framesDecoded = [first, await decoded()];
    }
  }
  if (stream) stream.getTracks().forEach(t => t.stop());
  a.close(); b.close();
  return result;
}"""


def call(page, turn, username, credential, url=None, video=False, connect_ms=10_000):
    servers = [{"urls": url or turn.url, "username": username, "credential": credential}]
    return page.evaluate(CALL, {"iceServers": servers, "video": video, "connectMs": connect_ms})


def assert_relayed(result):
    assert result["state"] == "connected,connected", result
    assert set(result["candidates"]["a"]) == {"relay"} and set(result["candidates"]["b"]) == {"relay"}, result
    assert result["pair"]["local"] == "relay" and result["pair"]["remote"] == "relay", result
    assert result["echo"] == "echo:ping", result


@pytest.mark.parametrize("suffix", ["", "?transport=udp", "?transport=tcp"])
def test_valid_credentials_connect_over_relay(page, turn, suffix):
    username, password = turn.credentials("call1-agent")
    result = call(page, turn, username, password, url=turn.url + suffix)
    assert_relayed(result)
    expected = {"": None, "?transport=udp": "udp", "?transport=tcp": "tcp"}[suffix]
    if expected:
        assert result["pair"]["localRelayProtocol"] == expected, result


def test_fake_camera_video_is_decoded_through_relay(page, turn):
    username, password = turn.credentials("call2-visitor")
    result = call(page, turn, username, password, video=True)
    assert_relayed(result)
    before, after = result["framesDecoded"]
    assert after > before, result


def assert_refused(result):
    assert result["candidates"] == {"a": [], "b": []}, result
    assert result["errors"], f"no icecandidateerror: {result}"
    assert "connected" not in result["finalStates"], result


def test_expired_credentials_are_refused(page, turn):
    username, password = turn.credentials("call3-agent", ttl=-60)
    result = call(page, turn, username, password, connect_ms=6000)
    assert_refused(result)
    codes = {e["errorCode"] for e in result["errors"]}
    assert 401 in codes, result


def test_wrong_password_is_refused(page, turn):
    username, _ = turn.credentials("call4-agent")
    _, other = turn.credentials("someone-else")
    result = call(page, turn, username, other, connect_ms=6000)
    assert_refused(result)
    codes = {e["errorCode"] for e in result["errors"]}
    assert 401 in codes, result


def test_credentials_are_the_rest_scheme(turn):
    """The username carries the expiry; the password is base64(HMAC-SHA1(secret, username))."""
    import base64, hashlib, hmac
    username, password = turn.credentials("c-p", ttl=600, now=1_700_000_000)
    assert username == "1700000600:c-p"
    assert password == base64.b64encode(hmac.new(turn.secret.encode(), username.encode(), hashlib.sha1).digest()).decode()


def test_production_config_refuses_private_peers(page, tmp_path):
    """deploy/turnserver.conf, on loopback with a test secret and allow-loopback-peers (so only its
    denied-peer-ip ranges can refuse): credentials work and relays are allocated, but relaying to
    127.0.0.1 is refused by the 127.0.0.0/8 range, and the call fails. (A "::-::" range would refuse
    every IPv4 peer in coturn 4.6.1: this also shows the ranges do not refuse more than they name.)"""
    import os, random, shutil, socket, struct, subprocess, time
    from conftest import ROOT, TurnServer, free_port
    if not shutil.which("turnserver"):
        pytest.fail("coturn's turnserver is not installed (apt-get install coturn)")
    lines = (ROOT / "deploy" / "turnserver.conf").read_text().splitlines()
    assert "allow-loopback-peers" not in lines and "use-auth-secret" in lines

    def run(conf_lines):
        conf = tmp_path / "turnserver.conf"
        conf.write_text("\n".join(line for line in conf_lines if line != "syslog") + "\n")
        port = free_port()
        relay = random.randrange(20000, 30000)
        log = tmp_path / "turnserver.log"
        proc = subprocess.Popen(
            ["turnserver", "-c", str(conf), "--log-file", "stdout", "-L", "127.0.0.1", "--relay-ip", "127.0.0.1",
             "-p", str(port), "--no-tls", "--min-port", str(relay), "--max-port", str(relay + 30),
             "--static-auth-secret", "prod-config-test", "--allow-loopback-peers", "--userdb", str(tmp_path / "turndb")],
            stdout=open(log, "w"), stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 10
            while time.time() < deadline:
                assert proc.poll() is None, log.read_text()
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.settimeout(0.3)
                    s.sendto(struct.pack("!HHI", 1, 0, 0x2112A442) + os.urandom(12), ("127.0.0.1", port))
                    try:
                        s.recv(2048)
                        break
                    except OSError:
                        pass
            turn = TurnServer(f"turn:127.0.0.1:{port}", "prod-config-test")
            return call(page, turn, *turn.credentials("prod-check"), connect_ms=6000), log.read_text()
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    result, log = run(lines)
    assert set(result["candidates"]["a"]) == {"relay"} and not result["errors"], result
    assert "connected" not in result["finalStates"], result
    assert "denied in the range: 127.0.0.0-127.255.255.255" in log, log[-2000:]
    assert "Bad configuration" not in log, log

    result, log = run([line for line in lines if line != "denied-peer-ip=127.0.0.0-127.255.255.255"])
    assert result["state"] == "connected,connected", (result, log[-2000:])
