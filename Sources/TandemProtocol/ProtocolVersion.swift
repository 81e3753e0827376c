/// The wire protocol version. Every `start`, `continue` and agent `join` carries it, so a
/// change to the message set is detected at connect time instead of misread mid-session.
public enum ProtocolVersion {
    public static let current = 1
    public static let supported: ClosedRange<Int> = 1...1
}
