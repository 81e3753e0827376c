import NIOPosix

/// CPU-bound work (scrypt, reading a workbook) runs on NIO's blocking pool: on the Swift
/// concurrency pool, one thread a core, it would stall every live session's relay meanwhile.
/// The blocking pool's few threads also bound how many run at once (scrypt takes 32 MiB each).
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }
}
