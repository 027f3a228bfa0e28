// The strict JSON parser behind the safetensors header.
import Testing
@testable import Interchange

@Suite struct HeaderJSONTests {
    private func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try parseJSON(Array(text.utf8)[...]) }

    @Test func stringsWithEscapesAndSurrogates() throws {
        guard case .string(let s) = try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) else { Issue.record("not a string"); return }
        #expect(s == "a\"b\\c/d\n\té😀")
    }

    @Test func numbersKeepTheirText() throws {
        guard case .array(let values) = try parse("[0, 784, -1, 2.5, 1e3, 12345678901234567890]") else { Issue.record("not an array"); return }
        #expect(values.map(\.nonNegativeInteger) == [0, 784, nil, nil, nil, nil])
    }

    @Test func objectsKeepOrder() throws {
        guard case .object(let members) = try parse(#" { "b" : 1 , "a" : [ ] , "c" : {} } "#) else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a", "c"])
    }

    @Test func refusals() {
        for bad in ["", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"\u{1}\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
                    "tru", "nul", "{\"a\":1 \"b\":2}", "{\"a\":1,\"a\":2}", "[1] x", "'a'"] {
            #expect(throws: JSONSyntaxError.self, "\(bad.debugDescription)") { try parse(bad) }
        }
    }

    @Test func nestingIsBounded() throws {
        #expect(throws: (any Error).self) { try parse(String(repeating: "[", count: 100_000)) }
        _ = try parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60))
    }

    @Test func offsetsPointAtTheProblem() {
        do {
            _ = try parse("{\"a\": tru}")
            Issue.record("accepted")
        } catch {
            #expect(error.offset == 9 && error.detail == "expected true")
        }
    }
}
