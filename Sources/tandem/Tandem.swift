import ArgumentParser

@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Tandem: self-hosted live co-browsing.",
        subcommands: [Serve.self, AgentCommand.self, GroupCommand.self, MemberCommand.self, ReportCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command shares: where the database is.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "SQLite database file, or postgres://user:password@host:port/database for PostgreSQL shared by several nodes (env TANDEM_DATABASE).")
    var database: String = Environment.value("TANDEM_DATABASE") ?? "tandem-data/tandem.sqlite"
}
