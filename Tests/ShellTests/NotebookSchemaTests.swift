// NotebookSchemaTests.swift — exported notebooks are valid nbformat 4.5, by the schema Jupyter ships.
// The checker is first held to jsonschema's verdicts (tools/make_notebook_fixtures.py), so a checker that
// accepts everything fails here before it can pass a notebook.
import Foundation
import Shell
import Testing

@Suite struct NotebookSchemaTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?.path ?? "Tests/ShellTests/Fixtures"

    static func schema() throws -> JSONSchema {
        JSONSchema(root: try JSON.parse(Data(contentsOf: URL(fileURLWithPath: fixtures + "/nbformat.v4.5.schema.json"))))
    }

    struct Case: Decodable { let name: String; let valid: Bool; let notebook: JSON }

    @Test func theCheckerAgreesWithJsonschemaOnEveryCase() throws {
        let schema = try Self.schema()
        let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/notebook_cases.json")))
        #expect(cases.count >= 40 && cases.contains { $0.valid } && cases.contains { !$0.valid })
        for c in cases {
            let violation = schema.violation(of: c.notebook)
            #expect((violation == nil) == c.valid, "\(c.name): jsonschema says \(c.valid ? "valid" : "invalid"), the checker \(violation ?? "valid")")
        }
    }

    @Test func aRecordedSessionExportsAValidNotebook() throws {
        // Every kind of cell Lethe writes: markdown, a code cell with text, one with an error, one with a figure.
        let shell = CapturingShell()
        shell.run("## Heading", "%md Some *markdown*.", #"tokenize "Holmes""#, "use nothing",
                  #"patch --clean "The cat sat" --corrupted "The dog sat" --answer " on" --wrong " in" --plot "# + temporaryPath("nb.svg"))
        let path = temporaryPath("valid.ipynb")
        shell.run("%notebook " + path)
        let notebook = try JSON.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        guard case .array(let cells)? = notebook["cells"] else { Issue.record("no cells in \(path)"); return }
        #expect(cells.filter { $0["cell_type"] == .string("code") }.count == 3 && cells.contains { $0["cell_type"] == .string("markdown") })
        let violation = try Self.schema().violation(of: notebook)
        #expect(violation == nil, "\(violation ?? "")")
    }

    @Test func theClassroomNotebookIsValid() throws {
        let notebook = try JSON.parse(Data(contentsOf: URL(fileURLWithPath: "examples/classroom.ipynb")))
        let violation = try Self.schema().violation(of: notebook)
        #expect(violation == nil, "\(violation ?? "")")
    }
}
