import ArgumentParser

@main
struct Tandem: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Tandem: self-hosted live co-browsing.",
        subcommands: [Serve.self, AgentCommand.self, GroupCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command shares: where the database is.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (env TANDEM_DATABASE).")
    var database: String = Environment.value("TANDEM_DATABASE") ?? "tandem-data/tandem.sqlite"
}
