/// Polls `condition` until it holds or `within` has passed, and tells whether it held: for a
/// server-side effect that follows a client's action with no message to wait for.
func eventually(
    within: Duration = .seconds(10), every: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + within
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: every)
    }
}
