import Foundation
import TandemProtocol
import TandemTestSupport
import Testing

/// One message of each type with every optional member set, as Swift encodes it.
struct FullMessage: Sendable, CustomTestStringConvertible {
    var direction: String
    var text: String

    var testDescription: String { "\(direction): \(text.prefix(60))" }

    init(_ direction: String, _ message: some Encodable) {
        self.direction = direction
        self.text = try! CanonicalJSON.encode(message)
    }

    var type: String {
        let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
        if case .string(let t)? = object?["t"] { return t }
        return ""
    }

    static let agent = AgentInfo(
        username: "alice", partnerid: 7, partneruserid: "a-7", name: "Alice", title: "Lead", role: .agent, guestid: 3, num: 1,
        agentrole: "lead")
    static let agents = AgentList([agent])
    static let action = AgentAction(type: .input, id: 4, x: 1.5, y: 2.5, value: "v", index: 1, key: "Enter")
    static let masking = MaskingSettings(
        selectors: ["#a"], maskedPages: ["*/pay/*"], unmaskedPages: ["*"], privateByDefault: true, visibleSelectors: [".v"])
    static let state: [String: JSONValue] = ["cart": .object(["n": .number(2)])]
    static let update = MediaUpdate(
        view: "glance_agentvideo", num: 1, kind: .video, state: .paused, paused: true, stream: "s", closereason: "PlayerTooSlow", type: "reverse",
        camerastatus: .blocked, size: .large)
    static let signal = RtcSignal(
        peer: "p", num: 1, hello: true, description: .init(type: .offer, sdp: "v=0"),
        candidate: .init(candidate: "candidate:1 1 udp 1 192.0.2.1 9 typ host", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "u"))
    static let ice = IceConfiguration(iceServers: [.init(urls: ["turn:t"], username: "1:2-v", credential: "c")], policy: .relay, expires: 1)
    static let doc: DocumentUpdate = {
        var u = DocumentUpdate(action: .open)
        u.id = "Zm9vYmFyYmF6cXV4MTIzNA"
        u.r = 1
        u.name = "a.pdf"
        u.kind = .pdf
        u.size = 9
        u.src = "/documents/1/Zm9vYmFyYmF6cXV4MTIzNA?key=k"
        u.url = "https://shop.example/a.pdf"
        u.sharedBy = .visitor
        u.downloadedBy = .agent
        u.by = .agent
        u.num = 1
        u.download = true
        u.state = .started
        u.status = .accepted
        u.reason = .scan
        u.msg = "m"
        u.view = DocumentView(page: 2, zoom: 1.5, x: 1, y: 2.5, sheet: 1)
        u.page = 2
        u.zoom = 1.5
        u.x = 1
        u.y = 2.5
        u.sheet = 1
        return u
    }()
    static let docCommand = DocumentCommand(
        action: .view, id: "Zm9vYmFyYmF6cXV4MTIzNA", download: true, accepted: true, page: 1, zoom: 2, x: 3, y: 4.5, sheet: 0)
    static let data = JSONValue.object(["k": .array([.string("v"), .number(1), .bool(true), .null])])

    static let all: [FullMessage] = [
        .init("visitor", VisitorMessage.start(.init(groupid: 1, key: "k", random: true, visitor: .init(name: "n", email: "e", phone: "p", visitorid: "v")))),
        .init("visitor", VisitorMessage.continue(.init(groupid: 1, key: "k", callid: 2, token: "t"))),
        .init("visitor", VisitorMessage.continue(.init(groupid: 1, key: "k", callid: 2, handoff: "h"))),
        .init("visitor", VisitorMessage.handoff(.init(origin: "https://pay.example.net"))),
        .init("visitor", VisitorMessage.stop),
        .init("visitor", VisitorMessage.visibility(.init(state: .hidden))),
        .init("visitor", VisitorMessage.pause(.init(paused: true, message: "m"))),
        .init("visitor", VisitorMessage.rc(.init(enabled: true, suspended: true))),
        .init("visitor", VisitorMessage.rcresponse(.init(accepted: true))),
        .init("visitor", VisitorMessage.message(.init(name: "n", data: data, num: 1))),
        .init("visitor", VisitorMessage.userstate(.init(name: "n", data: data))),
        .init("visitor", VisitorMessage.guestresponse(.init(accepted: false))),
        .init("visitor", VisitorMessage.media(
                .init(
                    view: "glance_visitorvideo", state: .started, closereason: "PlayerTooSlow", stream: "s", camerastatus: .available,
                    size: .small, paused: true))),
        .init("visitor", VisitorMessage.rtc(signal)),
        .init("visitor", VisitorMessage.ice),
        .init("visitor", VisitorMessage.doc(docCommand)),

        .init(
            "server-to-visitor",
            ServerToVisitor.session(
                .init(
                    key: "k", callid: 1, groupid: 2, token: "t", random: true, resumed: true, agents: agents, masking: masking,
                    rc: .init(enabled: true), userstate: state, assets: [.init(pattern: "*.example.com", mode: .visitor)], media: [update],
                    doc: doc, crossDomains: ["pay.example:8443"]))),
        .init("server-to-visitor", ServerToVisitor.agents(agents)),
        .init("server-to-visitor", ServerToVisitor.resync),
        .init("server-to-visitor", ServerToVisitor.ended(.init(reason: .agent, msg: "m"))),
        .init("server-to-visitor", ServerToVisitor.error(.init(code: .invalidparam, msg: "m", params: ["field": "name"]))),
        .init("server-to-visitor", ServerToVisitor.rcrequest(.init(agent: agent))),
        .init("server-to-visitor", ServerToVisitor.rcstop),
        .init("server-to-visitor", ServerToVisitor.action(.init(action: action, agent: .init(username: "alice", puid: "alice", num: 1)))),
        .init("server-to-visitor", ServerToVisitor.navigate(.init(url: "https://shop.example/", direction: "back"))),
        .init("server-to-visitor", ServerToVisitor.gesture(.init(kind: "outline", points: [[1, 2], [3.5, 4]], num: 1))),
        .init("server-to-visitor", ServerToVisitor.pointer(.init(x: 1, y: 2.5, num: 1))),
        .init("server-to-visitor", ServerToVisitor.message(.init(name: "n", data: data, num: 1))),
        .init("server-to-visitor", ServerToVisitor.guestrequest(.init(agent: agent, name: "Guest"))),
        .init("server-to-visitor", ServerToVisitor.media(update)),
        .init("server-to-visitor", ServerToVisitor.rtc(signal)),
        .init("server-to-visitor", ServerToVisitor.ice(ice)),
        .init("server-to-visitor", ServerToVisitor.doc(doc)),
        .init("server-to-visitor", ServerToVisitor.handoff(.init(origin: "https://pay.example.net", token: "t", expires: 1, msg: "m"))),

        .init("agent", AgentMessage.leave),
        .init("agent", AgentMessage.end),
        .init("agent", AgentMessage.resync),
        .init("agent", AgentMessage.rcrequest),
        .init("agent", AgentMessage.rcstop),
        .init("agent", AgentMessage.action(action)),
        .init("agent", AgentMessage.navigate(.init(url: "https://shop.example/", direction: "forward"))),
        .init("agent", AgentMessage.gesture(.init(kind: "highlight", points: [[1, 2]], num: 1))),
        .init("agent", AgentMessage.pointer(.init(x: 1, y: 2, num: 1))),
        .init("agent", AgentMessage.message(.init(name: "n", data: data, num: 1))),
        .init("agent", AgentMessage.guestinvite(.init(name: "Guest"))),
        .init("agent", AgentMessage.media(.init(kind: .screen, action: .start, stream: "s", reverse: true))),
        .init("agent", AgentMessage.rtc(signal)),
        .init("agent", AgentMessage.ice),
        .init("agent", AgentMessage.doc(docCommand)),

        .init(
            "server-to-agent",
            ServerToAgent.joined(
                .init(
                    key: "k", callid: 1, groupid: 2, visitor: .init(name: "n", email: "e", phone: "p", visitorid: "v"), num: 1,
                    agents: agents, visitorConnected: true, rc: .init(enabled: true), userstate: state, role: .guest, media: [update],
                    doc: doc))),
        .init("server-to-agent", ServerToAgent.waiting(.init(key: "k"))),
        .init("server-to-agent", ServerToAgent.agents(agents)),
        .init("server-to-agent", ServerToAgent.visitor(.init(connected: true))),
        .init("server-to-agent", ServerToAgent.visibility(.init(state: .visible))),
        .init("server-to-agent", ServerToAgent.paused(.init(paused: true, message: "m"))),
        .init("server-to-agent", ServerToAgent.ended(.init(reason: .visitorLeft, msg: "m"))),
        .init("server-to-agent", ServerToAgent.accessdenied(.init(rcrequested: true, addguest: true, media: .video, msg: "m"))),
        .init("server-to-agent", ServerToAgent.rcrequest(.init(response: "accepted"))),
        .init("server-to-agent", ServerToAgent.rc(.init(enabled: true, suspended: false))),
        .init("server-to-agent", ServerToAgent.message(.init(name: "n", data: data, num: 1))),
        .init("server-to-agent", ServerToAgent.userstate(.init(name: "n", data: data))),
        .init("server-to-agent", ServerToAgent.guestinvite(.init(response: "accepted", url: "https://t.example/guest", expires: 1))),
        .init("server-to-agent", ServerToAgent.media(update)),
        .init("server-to-agent", ServerToAgent.rtc(signal)),
        .init("server-to-agent", ServerToAgent.ice(ice)),
        .init("server-to-agent", ServerToAgent.doc(doc)),

        .init("presence-visitor", PresenceVisitorMessage.presence(.init(data: ["page": .string("/a"), "n": .number(1)]))),
        .init("presence-visitor", PresenceVisitorMessage.event(.init(name: "terms", data: .object(["status": .string("accepted")])))),
        .init("server-to-presence-visitor", PresenceToVisitor.connected(.init(visitorid: "v"))),
        .init("server-to-presence-visitor", PresenceToVisitor.signal(.init(data: data))),
        .init("server-to-presence-visitor", PresenceToVisitor.invoke(.init(func: "GLANCE.Cobrowse.Visitor.showTerms", args: data))),
        .init("server-to-presence-agent", PresenceToAgent.event(.init(name: "presence", data: data))),
    ]
}

/// The Swift types against the contract, member by member: a message of every type with every
/// member set writes exactly the members the contract names, and reads back the same.
@Suite("Wire contract: Swift types")
struct FullMessageTests {
    static let contract = try? Contract.load()

    func contract() throws -> Contract { try #require(Self.contract, "protocol/contract.json loads") }

    /// One full message per type of every direction.
    @Test func everyTypeHasAFullMessage() throws {
        let messages = try contract().messages
        for (direction, types) in messages {
            let have = Set(FullMessage.all.filter { $0.direction == direction }.map(\.type))
            #expect(have.sorted() == types.keys.sorted(), "\(direction)")
        }
    }

    @Test(arguments: FullMessage.all)
    func fullMessage(_ message: FullMessage) throws {
        let contract = try contract()
        var object = try JSONDecoder().decode([String: JSONValue].self, from: Data(message.text.utf8))
        object["t"] = nil
        let shape = try #require(contract.messages[message.direction]?[message.type], "\(message.type) is in the contract")
        #expect(ContractShape(enums: contract.enums).problems(.object(object), shape: shape, at: message.type) == [])
        #expect(try roundTrip(message.direction, message.text) == message.text)
    }

    /// Every member the contract names is written by some full message of its type (members
    /// that exclude each other, as `continue`'s `token` and `handoff`, by different ones).
    @Test func everyMemberIsWritten() throws {
        let contract = try contract()
        for (direction, types) in contract.messages {
            for (type, shape) in types {
                var written: Set<String> = []
                for message in FullMessage.all where message.direction == direction && message.type == type {
                    var object = try JSONDecoder().decode([String: JSONValue].self, from: Data(message.text.utf8))
                    object["t"] = nil
                    written.formUnion(ContractShape.paths(in: .object(object)))
                }
                let missing = ContractShape.paths(of: shape).subtracting(written)
                #expect(missing.isEmpty, "\(direction) \(type): members the Swift type does not write: \(missing.sorted())")
            }
        }
    }
}
