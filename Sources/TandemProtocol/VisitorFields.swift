/// The visitor's identifying fields from `GLANCE_COBROWSE` or `startSession(options)`.
public struct VisitorFields: Codable, Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var visitorid: String?

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, visitorid: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.visitorid = visitorid
    }
}
