import Synchronization

/// An unbounded queue with one reader that waits with a timeout, so no test can hang.
final class Mailbox<Element: Sendable>: Sendable {
    enum Outcome {
        case item(Element)
        case finished
        case timedOut
    }

    private struct State {
        var items: [Element] = []
        var finished = false
        var generation = 0
        var expired = 0
        var waiter: (generation: Int, continuation: CheckedContinuation<Outcome, Never>)?
    }

    private let state = Mutex(State())

    func put(_ element: Element) {
        let waiter = state.withLock { s -> CheckedContinuation<Outcome, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.items.append(element)
            return nil
        }
        waiter?.resume(returning: .item(element))
    }

    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<Outcome, Never>? in
            s.finished = true
            defer { s.waiter = nil }
            return s.waiter?.continuation
        }
        waiter?.resume(returning: .finished)
    }

    /// The next element, `.finished` after `finish()` once the queue is empty, or `.timedOut`.
    func next(timeout: Duration) async -> Outcome {
        let generation = state.withLock { s in
            s.generation += 1
            return s.generation
        }
        let timer = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            self.expire(generation)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let immediate = state.withLock { s -> Outcome? in
                if !s.items.isEmpty { return .item(s.items.removeFirst()) }
                if s.finished { return .finished }
                if s.expired >= generation { return .timedOut }
                s.waiter = (generation, continuation)
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    /// Elements received so far and not yet read.
    var pending: [Element] { state.withLock { $0.items } }

    private func expire(_ generation: Int) {
        let waiter = state.withLock { s -> CheckedContinuation<Outcome, Never>? in
            s.expired = max(s.expired, generation)
            guard let w = s.waiter, w.generation == generation else { return nil }
            s.waiter = nil
            return w.continuation
        }
        waiter?.resume(returning: .timedOut)
    }
}
