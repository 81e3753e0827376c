import TandemDomain
import TandemProtocol
import TandemTestSupport
import Testing

@Suite("Visitor field rules")
struct VisitorFieldRulesTests {
    @Test func vectorsLoad() throws {
        let vectors: [FieldVector] = try TestVectors.load("fields.json")
        #expect(Set(vectors.map(\.field)) == ["name", "email", "phone", "visitorid"])
    }

    @Test(arguments: FieldVector.all)
    func fieldRules(_ vector: FieldVector) throws {
        var fields = VisitorFields()
        switch vector.field {
        case "name": fields.name = vector.value
        case "email": fields.email = vector.value
        case "phone": fields.phone = vector.value
        case "visitorid": fields.visitorid = vector.value
        default: Issue.record("unknown field \(vector.field)")
        }
        if vector.valid {
            #expect(throws: Never.self) { try VisitorFieldRules.validate(fields) }
        } else {
            #expect {
                try VisitorFieldRules.validate(fields)
            } throws: { error in
                guard case DomainError.invalidField(let field, _) = error else { return false }
                return field == vector.field
            }
        }
    }

    @Test func absentFieldsAreValid() {
        #expect(throws: Never.self) { try VisitorFieldRules.validate(VisitorFields()) }
    }

    @Test func documentedLimits() {
        #expect(VisitorFieldRules.nameMaxLength == 63)
        #expect(VisitorFieldRules.emailMaxLength == 127)
        #expect(VisitorFieldRules.phoneMaxLength == 31)
        #expect(SessionKey.maxLength == 100)
    }

    @Test func firstBrokenFieldIsNamed() {
        let fields = VisitorFields(name: String(repeating: "n", count: 64), email: "€")
        #expect(throws: DomainError.invalidField("name", "longer than 63 characters")) {
            try VisitorFieldRules.validate(fields)
        }
    }
}
