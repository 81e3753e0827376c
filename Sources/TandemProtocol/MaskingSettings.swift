/// A group's masking configuration, stored with the group and sent to the visitor script in the
/// `session` message. The visitor's browser applies it (with the page's `getMaskingDescriptor`
/// hook) before anything of the page is serialized: masked content never reaches the server.
public struct MaskingSettings: Codable, Sendable, Equatable {
    /// CSS selectors of masked elements.
    public var selectors: [String]
    /// URL patterns (`*` wildcard, matched against the full URL, host + path, or path) of pages
    /// masked whole: the deny list.
    public var maskedPages: [String]
    /// When not empty, only pages matching one of these are shown: the allow list.
    public var unmaskedPages: [String]
    /// Private by default: only elements inside a `visibleSelectors` match show their content.
    public var privateByDefault: Bool
    public var visibleSelectors: [String]

    public init(
        selectors: [String] = [], maskedPages: [String] = [], unmaskedPages: [String] = [],
        privateByDefault: Bool = false, visibleSelectors: [String] = []
    ) {
        self.selectors = selectors
        self.maskedPages = maskedPages
        self.unmaskedPages = unmaskedPages
        self.privateByDefault = privateByDefault
        self.visibleSelectors = visibleSelectors
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.selectors = try c.decodeIfPresent([String].self, forKey: .selectors) ?? []
        self.maskedPages = try c.decodeIfPresent([String].self, forKey: .maskedPages) ?? []
        self.unmaskedPages = try c.decodeIfPresent([String].self, forKey: .unmaskedPages) ?? []
        self.privateByDefault = try c.decodeIfPresent(Bool.self, forKey: .privateByDefault) ?? false
        self.visibleSelectors = try c.decodeIfPresent([String].self, forKey: .visibleSelectors) ?? []
    }
}
