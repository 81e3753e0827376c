import TandemDomain
import Testing

@Suite("Role policy")
struct RolePolicyTests {
    @Test(arguments: [
        // joining, present, mixed allowed, allowed?
        ("Support", [String?](), false, true),
        ("Support", ["Support"], false, true),
        ("Sales", ["Support"], false, false),
        (nil, ["Support"], false, false),
        ("Support", [nil], false, false),
        (nil, [nil, nil], false, true),
        ("Sales", ["Support", nil], true, true),
        (nil, ["Support"], true, true),
    ] as [(String?, [String?], Bool, Bool)])
    func joining(_ role: String?, present: [String?], mixed: Bool, allowed: Bool) {
        let refusal = RolePolicy.refusal(joining: role, present: present, allowMixedRoles: mixed)
        #expect((refusal == nil) == allowed, "\(String(describing: role)) joining \(present): \(refusal ?? "allowed")")
    }

    @Test func refusalNamesBothRoles() {
        let refusal = RolePolicy.refusal(joining: nil, present: ["Support"], allowMixedRoles: false)
        #expect(refusal?.contains("role \"Support\"") == true)
        #expect(refusal?.contains("no role") == true)
    }
}
