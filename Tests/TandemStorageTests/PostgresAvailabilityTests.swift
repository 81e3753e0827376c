import Testing

/// Makes a missing PostgreSQL server visible in the test output instead of silently running
/// the storage suite on SQLite only. `scripts/test` installs and starts one on loopback.
@Suite("Store: PostgreSQL driver")
struct PostgresAvailabilityTests {
    @Test(
        "the storage suite also runs on PostgreSQL",
        .enabled(
            if: PostgresTestServer.url != nil,
            "SKIPPED: no PostgreSQL server (set TANDEM_TEST_POSTGRES_URL; scripts/test starts one) — the storage suite ran on SQLite only"))
    func postgresIsInTheSuite() {
        #expect(StoreFactory.all.contains { $0.name == "PostgreSQL" })
    }
}
