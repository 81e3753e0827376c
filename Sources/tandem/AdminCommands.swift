import Foundation
import ArgumentParser
import TandemDomain
import TandemStorage

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "Manage agents.", subcommands: [Add.self, ResetPassword.self])

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

        func run() async throws {
            var granted = Set(Privilege.allCases)
            if let privileges {
                granted = []
                for name in privileges.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard let privilege = Privilege(rawValue: name) else { throw ValidationError("unknown privilege '\(name)'") }
                    granted.insert(privilege)
                }
            }
            let db = try await Environment.openStore(store)
            let secret = password ?? Password.random()
            let agent = try await db.createAgent(
                username: username, name: name ?? username, title: title, passwordHash: try PasswordHasher.standard.hash(secret))
            try await db.setMembership(Membership(agentId: agent.id, groupId: group, role: role, privileges: granted))
            print("agent \(agent.username) (id \(agent.id)) added to group \(group)")
            if password == nil { print("password: \(secret)") }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Set a new password.")
        @OptionGroup var store: StoreOptions
        @Option var username: String
        @Option(help: "New password; a random one is generated and printed when omitted.") var password: String?

        func run() async throws {
            let db = try await Environment.openStore(store)
            guard let agent = try await db.agent(username: username) else {
                throw ValidationError("no agent named '\(username)'")
            }
            let secret = password ?? Password.random()
            try await db.setPasswordHash(agentId: agent.id, try PasswordHasher.standard.hash(secret))
            print("password for \(username) reset")
            if password == nil { print("password: \(secret)") }
        }
    }
}

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Manage groups.", subcommands: [Add.self, List.self, Set.self, APIKeyCommand.self])

    struct APIKeyCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apikey", abstract: "Create a group API key for login keys (single sign-on); prints it.")
        @OptionGroup var store: StoreOptions
        @Option var id: Int
        @Flag(help: "Replace the current keys; they stay valid for --overlap-hours.") var rotate = false
        @Option(help: "With --rotate: hours the old keys keep working.") var overlapHours: Int = 24

        func run() async throws {
            let db = try await Environment.openStore(store)
            guard var group = try await db.group(id: id) else { throw ValidationError("no group \(id)") }
            let now = Date()
            if rotate {
                let until = now.addingTimeInterval(TimeInterval(overlapHours * 3600))
                for i in group.settings.apiKeys.indices where group.settings.apiKeys[i].expiresAt.map({ $0 > until }) ?? true {
                    group.settings.apiKeys[i].expiresAt = until
                }
            }
            group.settings.apiKeys.removeAll { !$0.isValid(at: now) }
            let key = APIKey.generate(now: now)
            group.settings.apiKeys.append(key)
            try await db.updateGroupSettings(id: id, group.settings)
            print(key.key)
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a group.")
        @OptionGroup var store: StoreOptions
        @Option var name: String
        @Option(help: "Group id (the script tag's data-groupid); the next free one when omitted.") var id: Int?
        @Flag(help: "Refuse a second running session with the same key.") var preventDuplicateKeys = false

        func run() async throws {
            let db = try await Environment.openStore(store)
            let group = try await db.createGroup(id: id, name: name, settings: .init(preventDuplicateKeys: preventDuplicateKeys))
            print("group \(group.id) '\(group.name)' created")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            for group in try await Environment.openStore(store).groups() {
                let m = group.settings.masking
                print(
                    "\(group.id)\t\(group.name)\tprevent-duplicate-keys=\(group.settings.preventDuplicateKeys)"
                        + "\tmasked=\(m.selectors)\tmasked-pages=\(m.maskedPages)\tunmasked-pages=\(m.unmaskedPages)"
                        + "\tprivate-by-default=\(m.privateByDefault)\tvisible=\(m.visibleSelectors)")
            }
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a group's settings.")
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

        func run() async throws {
            let db = try await Environment.openStore(store)
            guard var group = try await db.group(id: id) else { throw ValidationError("no group \(id)") }
            if let preventDuplicateKeys { group.settings.preventDuplicateKeys = preventDuplicateKeys }
            if clearMasking { group.settings.masking = .init() }
            if let allowMixedRoles { group.settings.allowMixedRoles = allowMixedRoles }
            if !mask.isEmpty { group.settings.masking.selectors = mask }
            if !maskedPage.isEmpty { group.settings.masking.maskedPages = maskedPage }
            if !unmaskedPage.isEmpty { group.settings.masking.unmaskedPages = unmaskedPage }
            if let privateByDefault { group.settings.masking.privateByDefault = privateByDefault }
            if !visible.isEmpty { group.settings.masking.visibleSelectors = visible }
            try await db.updateGroupSettings(id: id, group.settings)
            print("group \(id) updated")
        }
    }
}
