import ArgumentParser
import Foundation
import TandemDomain
import TandemProtocol
import TandemServer
import TandemStorage

// The admin API's operations from the command line: each command calls the same
// `Administration` method as its REST route, so both validate and behave alike.

extension StoreOptions {
    /// Opens the store, runs `body` with the administration over it, and closes the store.
    func administer<T>(_ body: (Administration) async throws -> T) async throws -> T {
        let store = try await Environment.openStore(self)
        do {
            let result = try await body(Administration(store: store))
            await store.shutdown()
            return result
        } catch let error as DomainError {
            await store.shutdown()
            throw ValidationError(error.message)
        } catch {
            await store.shutdown()
            throw error
        }
    }
}

enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    static func privileges(_ list: String?) -> [String]? {
        list.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }
}

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage agents.",
        subcommands: [Add.self, List.self, Show.self, Set.self, Remove.self, ResetPassword.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an agent and add it to a group.")
        @OptionGroup var store: StoreOptions
        @Option var username: String
        @Option(help: "Password; a random one is generated and printed when omitted.") var password: String?
        @Option var name: String?
        @Option var title: String = ""
        @Option(help: "Group to join.") var group: Int = 1
        @Option(help: "Role within the group (agentrole).") var role: String?
        @Option(help: "Comma-separated privileges (view, remotecontrol, screenshare, video, documentshare, addguests); all when omitted.")
        var privileges: String?
        @Flag(help: "A server administrator (may use the admin API).") var admin = false

        func run() async throws {
            let created = try await store.administer { admin in
                try await admin.createAgent(
                    NewAgent(
                        username: username, name: name, title: title, password: password, isAdmin: self.admin,
                        memberships: [MembershipInput(groupId: group, role: role, privileges: Output.privileges(privileges))]))
            }
            print("agent \(created.agent.username) (id \(created.agent.id)) added to group \(group)")
            if let generated = created.password { print("password: \(generated)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List agents.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print the admin API's JSON.") var json = false

        func run() async throws {
            let agents = try await store.administer { try await $0.agents() }
            if json { return try Output.json(agents) }
            for a in agents {
                let groups = a.memberships.map { "\($0.groupId)\($0.role.map { "(\($0))" } ?? "")" }.joined(separator: ",")
                print("\(a.id)\t\(a.username)\t\(a.name)\(a.isAdmin ? "\tadmin" : "")\tgroups=\(groups)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one agent (JSON).")
        @OptionGroup var store: StoreOptions
        @Option var username: String

        func run() async throws {
            try Output.json(try await store.administer { try await $0.agent(username: username) })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an agent's name, title or administrator flag.")
        @OptionGroup var store: StoreOptions
        @Option var username: String
        @Option var name: String?
        @Option var title: String?
        @Option(help: "true or false") var admin: Bool?

        func run() async throws {
            let agent = try await store.administer { admin in
                let id = try await admin.agent(username: username).id
                return try await admin.updateAgent(id, AgentPatch(name: name, title: title, isAdmin: self.admin))
            }
            print("agent \(agent.username) updated")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an agent (session records keep its name).")
        @OptionGroup var store: StoreOptions
        @Option var username: String

        func run() async throws {
            try await store.administer { admin in try await admin.deleteAgent(try await admin.agent(username: username).id) }
            print("agent \(username) removed")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password.")
        @OptionGroup var store: StoreOptions
        @Option var username: String
        @Option(help: "New password; a random one is generated and printed when omitted.") var password: String?

        func run() async throws {
            let generated = try await store.administer { admin in
                try await admin.setPassword(try await admin.agent(username: username).id, password)
            }
            print("password for \(username) reset")
            if let generated { print("password: \(generated)") }
        }
    }
}

struct MemberCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Manage group memberships (role and privileges per group).",
        subcommands: [Set.self, Remove.self, List.self])

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an agent to a group, or change its role and privileges there.")
        @OptionGroup var store: StoreOptions
        @Option var group: Int
        @Option var username: String
        @Option(help: "Role within the group (agentrole).") var role: String?
        @Option(help: "Comma-separated privileges; all when omitted.") var privileges: String?

        func run() async throws {
            let m = try await store.administer { admin in
                try await admin.setMembership(
                    groupId: group, agentId: try await admin.agent(username: username).id,
                    MembershipInput(role: role, privileges: Output.privileges(privileges)))
            }
            print("\(username) in group \(m.groupId): role=\(m.role ?? "-") privileges=\(m.privileges.joined(separator: ","))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an agent from a group.")
        @OptionGroup var store: StoreOptions
        @Option var group: Int
        @Option var username: String

        func run() async throws {
            try await store.administer { admin in
                try await admin.removeMembership(groupId: group, agentId: try await admin.agent(username: username).id)
            }
            print("\(username) removed from group \(group)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a group's members.")
        @OptionGroup var store: StoreOptions
        @Option var group: Int
        @Flag(help: "Print the admin API's JSON.") var json = false

        func run() async throws {
            let members = try await store.administer { try await $0.members(group) }
            if json { return try Output.json(members) }
            for m in members {
                print("\(m.agentId)\t\(m.username ?? "?")\trole=\(m.role ?? "-")\tprivileges=\(m.privileges.joined(separator: ","))")
            }
        }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "A group's session activity in a date range (default: the last 30 days).")
    @OptionGroup var store: StoreOptions
    @Option var group: Int
    @Option(help: "Start, ISO 8601 date or date-time (inclusive).") var from: String?
    @Option(help: "End, ISO 8601 date or date-time (exclusive).") var to: String?
    @Flag(help: "Print one CSV line per session instead of the summary.") var csv = false
    @Flag(help: "Print the session records (JSON) instead of the summary.") var sessions = false

    func run() async throws {
        try await store.administer { admin in
            let (start, end) = try Administration.range(from: try Self.date(from, "from"), to: try Self.date(to, "to"))
            if csv {
                print(try await admin.csv(group, from: start, to: end), terminator: "")
            } else if sessions {
                try Output.json(try await admin.sessions(group, from: start, to: end))
            } else {
                try Output.json(try await admin.report(group, from: start, to: end))
            }
        }
    }

    static func date(_ raw: String?, _ name: String) throws -> Date? {
        guard let raw else { return nil }
        guard let date = Administration.date(raw) else {
            throw ValidationError("--\(name) must be an ISO 8601 date (2026-11-01) or date-time (2026-11-01T00:00:00Z)")
        }
        return date
    }
}

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage groups.",
        subcommands: [Add.self, List.self, Show.self, Rename.self, Remove.self, Set.self, APIKeyCommand.self])

    struct APIKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apikey", abstract: "Create a group API key for login keys (single sign-on); prints it.")
        @OptionGroup var store: StoreOptions
        @Option var id: Int
        @Flag(help: "Replace the current keys; they stay valid for --overlap-hours.") var rotate = false
        @Option(help: "With --rotate: hours the old keys keep working.") var overlapHours: Int = 24

        func run() async throws {
            let key = try await store.administer { try await $0.createAPIKey(id, rotate: rotate, overlapHours: overlapHours) }
            print(key.key ?? "")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @OptionGroup var store: StoreOptions
        @Option var name: String
        @Option(help: "Group id (the script tag's data-groupid); the next free one when omitted.") var id: Int?
        @Flag(help: "Refuse a second running session with the same key.") var preventDuplicateKeys = false

        func run() async throws {
            let group = try await store.administer {
                try await $0.createGroup(id: id, name: name, settings: GroupSettingsPatch(preventDuplicateKeys: preventDuplicateKeys))
            }
            print("group \(group.id) '\(group.name)' created")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups.")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Print the admin API's JSON.") var json = false

        func run() async throws {
            let groups = try await store.administer { try await $0.groups() }
            if json { return try Output.json(groups) }
            for group in groups {
                let s = group.settings
                let m = s.masking
                print(
                    "\(group.id)\t\(group.name)\tprevent-duplicate-keys=\(s.preventDuplicateKeys)\tallow-mixed-roles=\(s.allowMixedRoles)"
                        + "\tmasked=\(m.selectors)\tmasked-pages=\(m.maskedPages)\tunmasked-pages=\(m.unmaskedPages)"
                        + "\tprivate-by-default=\(m.privateByDefault)\tvisible=\(m.visibleSelectors)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one group and its settings (JSON).")
        @OptionGroup var store: StoreOptions
        @Option var id: Int

        func run() async throws { try Output.json(try await store.administer { try await $0.group(id) }) }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a group.")
        @OptionGroup var store: StoreOptions
        @Option var id: Int
        @Option var name: String

        func run() async throws {
            _ = try await store.administer { try await $0.renameGroup(id, name: name) }
            print("group \(id) renamed")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group that has no session records.")
        @OptionGroup var store: StoreOptions
        @Option var id: Int

        func run() async throws {
            try await store.administer { try await $0.deleteGroup(id) }
            print("group \(id) removed")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a group's settings (list options replace the list).")
        @OptionGroup var store: StoreOptions
        @Option var id: Int
        @Option(help: "true or false") var preventDuplicateKeys: Bool?
        @Option(help: "A CSS selector of masked elements (repeat; replaces the list).") var mask: [String] = []
        @Option(help: "A URL pattern (* wildcard) of pages masked whole (repeat; replaces the list).") var maskedPage: [String] = []
        @Option(help: "A URL pattern of pages shown; when set, all others are masked (repeat; replaces the list).")
        var unmaskedPage: [String] = []
        @Option(help: "true: only elements inside --visible selectors show their content.") var privateByDefault: Bool?
        @Option(help: "A CSS selector shown in private-by-default mode (repeat; replaces the list).") var visible: [String] = []
        @Flag(help: "Remove every masking rule of the group.") var clearMasking = false
        @Option(help: "true: agents with different roles may share a session.") var allowMixedRoles: Bool?
        @Option(help: "A website origin allowed to run sessions, https://www.example.com (repeat; 'none' clears: any origin).")
        var visitorOrigin: [String] = []
        @Option(help: "A domain sessions may cross to, shop.example.com or *.example.com (repeat; 'none' clears).")
        var trustedDomain: [String] = []
        @Option(help: "An origin allowed to invoke the visitor API by postMessage (repeat; 'none' clears).")
        var invokeOrigin: [String] = []
        @Option(help: "An agent page origin allowed to use Presence (repeat; 'none' clears).") var presenceOrigin: [String] = []
        @Option(help: "Button background colour (#rrggbb).") var buttonColor: String?
        @Option(help: "Button text colour (#rrggbb).") var buttonTextColor: String?
        @Option(help: "bottom-right, bottom-left, top-right or top-left.") var buttonPosition: String?
        @Option(help: "Button label.") var buttonLabel: String?
        @Option(help: "true or false: agents with remote control may send the visitor to other pages of the site.")
        var agentNavigation: Bool?
        @Option(help: "true or false: live media only through the TURN relay, so no participant learns another's IP address.")
        var relayOnly: Bool?
        @Option(help: "true or false: agents may ask to see the visitor's screen (masking cannot hide anything on it).")
        var visitorScreenshare: Bool?
        @Option(help: "true or false: agents with the documentshare privilege may share files with the visitor.")
        var agentDocumentShare: Bool?
        @Option(help: "true or false: the visitor may share files with the agents.")
        var visitorDocumentShare: Bool?
        @Option(help: "true or false: agents may save the files the visitor shares.")
        var agentDocumentDownload: Bool?
        @Option(help: "true or false: the visitor may save the files agents share (when the agent allows it).")
        var visitorDocumentDownload: Bool?
        @Option(help: "Largest PDF that may be shared, in bytes (default 10000000).")
        var pdfMaxBytes: Int?
        @Option(help: "Largest spreadsheet (xlsx, csv) that may be shared, in bytes (default 5000000).")
        var spreadsheetMaxBytes: Int?
        @Option(
            help: """
                How the mirror gets assets of some origins: PATTERN=direct|visitor|blocked, PATTERN being *, an origin, \
                a host or *.host; first match wins (repeat; replaces the list; 'none' clears).
                """)
        var assetRule: [String] = []

        func run() async throws {
            _ = try await store.administer { admin in
                let current = try await admin.group(id).settings
                var patch = GroupSettingsPatch(preventDuplicateKeys: preventDuplicateKeys, allowMixedRoles: allowMixedRoles)
                patch.agentNavigation = agentNavigation
                patch.relayOnly = relayOnly
                patch.visitorScreenshare = visitorScreenshare
                let documents = DocumentSettingsPatch(
                    agentShare: agentDocumentShare, visitorShare: visitorDocumentShare, agentDownload: agentDocumentDownload,
                    visitorDownload: visitorDocumentDownload, pdfMaxBytes: pdfMaxBytes, spreadsheetMaxBytes: spreadsheetMaxBytes)
                patch.documents = documents.isEmpty ? nil : documents
                if !assetRule.isEmpty {
                    patch.assetRules = try assetRule == ["none"] ? [] : assetRule.map { rule in
                        guard let eq = rule.lastIndex(of: "="), let mode = AssetRule.Mode(rawValue: String(rule[rule.index(after: eq)...])) else {
                            throw ValidationError("--asset-rule '\(rule)': write PATTERN=direct, PATTERN=visitor or PATTERN=blocked")
                        }
                        return AssetRule(pattern: String(rule[..<eq]), mode: mode)
                    }
                }
                func list(_ values: [String]) -> [String]? { values.isEmpty ? nil : (values == ["none"] ? [] : values) }
                patch.visitorOrigins = list(visitorOrigin)
                patch.trustedCrossDomains = list(trustedDomain)
                patch.invokeOrigins = list(invokeOrigin)
                patch.presenceAgentOrigins = list(presenceOrigin)
                var masking = clearMasking ? MaskingSettings() : current.masking
                if !mask.isEmpty { masking.selectors = mask }
                if !maskedPage.isEmpty { masking.maskedPages = maskedPage }
                if !unmaskedPage.isEmpty { masking.unmaskedPages = unmaskedPage }
                if let privateByDefault { masking.privateByDefault = privateByDefault }
                if !visible.isEmpty { masking.visibleSelectors = visible }
                if masking != current.masking { patch.masking = masking }
                if buttonColor != nil || buttonTextColor != nil || buttonPosition != nil || buttonLabel != nil {
                    var style = current.buttonStyle
                    if let buttonColor { style.color = buttonColor }
                    if let buttonTextColor { style.textColor = buttonTextColor }
                    if let buttonPosition { style.position = buttonPosition }
                    if let buttonLabel { style.label = buttonLabel }
                    patch.buttonStyle = style
                }
                return try await admin.updateSettings(id, patch)
            }
            print("group \(id) updated")
        }
    }
}
