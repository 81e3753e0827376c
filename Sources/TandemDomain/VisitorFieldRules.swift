public import TandemProtocol

/// The documented limits on `GLANCE_COBROWSE` visitor fields (seed 002):
/// name ≤ 63 Unicode characters; email ≤ 127 and phone ≤ 31 Latin-1 characters.
public enum VisitorFieldRules {
    public static let nameMaxLength = WireLimits.visitorNameMaxLength
    public static let emailMaxLength = WireLimits.visitorEmailMaxLength
    public static let phoneMaxLength = WireLimits.visitorPhoneMaxLength

    /// Checks every field that is present.
    /// - Throws: `DomainError.invalidField` naming the first field that breaks a rule.
    public static func validate(_ fields: VisitorFields) throws(DomainError) {
        if let name = fields.name, name.unicodeScalars.count > nameMaxLength {
            throw .invalidField("name", "longer than \(nameMaxLength) characters")
        }
        try latin1("email", fields.email, max: emailMaxLength)
        try latin1("phone", fields.phone, max: phoneMaxLength)
        if let id = fields.visitorid {
            do { _ = try SessionKey(validating: id) } catch { throw .invalidField("visitorid", error.message) }
        }
    }

    private static func latin1(_ field: String, _ value: String?, max: Int) throws(DomainError) {
        guard let value else { return }
        guard value.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) else {
            throw .invalidField(field, "contains characters outside Latin-1")
        }
        guard value.unicodeScalars.count <= max else { throw .invalidField(field, "longer than \(max) characters") }
    }
}
