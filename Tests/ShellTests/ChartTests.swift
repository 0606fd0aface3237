// ChartTests.swift — the SVG curve chart: well-formed, with both axes' ticks, one line per series,
// bands and reference lines, and every value drawn where it is (no silent clamping).
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Shell
import Testing

/// Every element's name and attributes, in document order.
final class Elements: NSObject, XMLParserDelegate {
    var all: [(name: String, attributes: [String: String])] = []
    var texts: [String] = []
    /// Text by the class of the element it is in (`ytick` → ["0.2", "0.4", …]).
    var textsByClass: [String: [String]] = [:]
    private var currentClass: String?
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        all.append((name, attributes))
        currentClass = attributes["class"]
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { currentClass = nil }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
        texts.append(string)
        if let currentClass { textsByClass[currentClass, default: []].append(string) }
    }
    func elements(_ name: String, class kind: String? = nil) -> [[String: String]] {
        all.filter { $0.name == name && (kind == nil || $0.attributes["class"] == kind) }.map(\.attributes)
    }
}

func parse(_ svg: String) throws -> Elements {
    let parser = XMLParser(data: Data(svg.utf8)), elements = Elements()
    parser.delegate = elements
    #expect(parser.parse(), "not well-formed XML")
    return elements
}

@Suite("Charts")
struct ChartTests {
    @Test func ticksAreRoundAndCoverTheRange() {
        let accuracy = CurveChart.ticks(0.34, 1)
        #expect((accuracy.first ?? 1) <= 0.34 && (accuracy.last ?? 0) >= 1 && (4...8).contains(accuracy.count), "\(accuracy)")
        let t = CurveChart.ticks(0, 375)
        #expect(t.first == 0 && (t.last ?? 0) >= 375 && t.count <= 8)
        let steps = zip(t.dropFirst(), t).map { $0 - $1 }
        #expect(Set(steps.map { ($0 * 1e6).rounded() }).count == 1, "equal steps: \(t)")
    }

    @Test func valuesOutsideThePreferredRangeAreDrawnWhereTheyAre() throws {
        let series = [CurveSeries(label: "original adamw", points: [(0, 0.34), (1, 0.71), (2, 0.78), (3, 0.79)],
                                  band: [(0.30, 0.38), (0.66, 0.75), (0.75, 0.81), (0.76, 0.82)]),
                      CurveSeries(label: "sophon adamw", points: [(0, 0.5), (1, 0.52), (2, 0.61), (3, 0.70)])]
        let svg = CurveChart.svg(series, title: "t", xLabel: "epoch", yLabel: "test accuracy",
                                 references: [ReferenceLine(y: 0.5, label: "chance")], preferredY: 0.4...1)
        let e = try parse(svg)
        #expect(e.elements("polyline", class: "series").count == 2)
        #expect(e.elements("polygon", class: "band").count == 1)
        #expect(e.elements("line", class: "reference").count == 1 && e.texts.contains("chance"))
        #expect(e.elements("text", class: "xtick").count >= 4 && e.elements("text", class: "ytick").count >= 4)
        #expect(e.texts.contains("original adamw") && e.texts.contains("sophon adamw"))
        // Pixel rows of the y ticks: the point at 0.34 lies below the 0.4 tick, above the lowest one.
        let tickRows = e.elements("line", class: "grid").compactMap { $0["y1"].flatMap(Double.init) }
        let circles = e.elements("circle").compactMap { $0["cy"].flatMap(Double.init) }
        let first = try #require(circles.first)   // (0, 0.34)
        let ys = (e.textsByClass["ytick"] ?? []).compactMap { Double($0) }
        #expect(ys.count >= 4 && (ys.min() ?? 1) <= 0.30 && (ys.max() ?? 0) >= 1, "the y axis covers the band's 0.30 to the preferred 1: \(ys)")
        #expect(first < (tickRows.max() ?? 0) && first > (tickRows.min() ?? 0))
        // Linear: equal value steps are equal pixel steps (0.71 → 0.78 → 0.79 among the first series' points).
        let c = Array(circles.prefix(4))
        #expect(abs((c[1] - c[2]) / (c[2] - c[3]) - 7) < 0.3)
    }
}

@Suite("Figures from commands")
struct FigureCommandTests {
    private func figure(_ path: String) throws -> Elements {
        try parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func commandsWithCurvesOrMapsWriteThem() throws {
        let shell = CapturingShell()
        let attention = temporaryPath("attention.svg")
        #expect(shell.run(#"attention "The cat sat" --plot "# + attention).contains("attention map written to"))
        #expect(try figure(attention).elements("rect", class: "cell").count == 9)   // 3 tokens × 3 tokens

        let lens = temporaryPath("lens.svg")
        #expect(shell.run(#"lens "The cat sat" --plot "# + lens).contains("add --all-positions"))
        shell.run(#"lens "The cat sat" --all-positions --plot "# + lens)
        let grid = try figure(lens)
        #expect(grid.elements("rect", class: "cell").count == 3 * 2)   // 3 positions × (embed + 1 block)

        let bars = temporaryPath("bars.svg")
        shell.run("new model other --seed 4", "use gpt2-mini")
        #expect(shell.run(#"compare --models gpt2-mini,other --plot "# + bars + #" score "The cat""#).contains("name it with --field"))
        shell.run(#"compare --models gpt2-mini,other --field loss --plot "# + bars + #" score "The cat""#)
        #expect(try figure(bars).elements("rect", class: "bar").count == 2)

        let relearn = temporaryPath("relearn.svg")
        shell.run("relearn --steps 2 --eval-every 1 --batch 2 --window 16 --tokens 200 --plot " + relearn)
        let r = try figure(relearn)
        #expect(r.elements("polyline", class: "series").count == 2 && r.elements("circle").count == 6)   // steps 0, 1, 2

        let sophon = temporaryPath("sophon.svg")
        shell.run("sophon config --inner-steps 1 --support 2 --query 2 --ntr-batch 1 --ntr-length 16 --guard-windows 1 --max-tokens 16 --env sgd:1e-3:all",
                  "sophon run 2 --restricted examples/data/sentiment/imdb_short_test.tsv --plot " + sophon)
        let s = try figure(sophon)
        #expect(s.elements("polyline", class: "series").count == 3 && s.elements("line", class: "reference").count == 2)

        let whp = temporaryPath("whp.svg")
        shell.run("use gpt2-mini", "whp config --reinforce-steps 1 --finetune-steps 3 --blocks 2 --batch 2 --block-length 16",
                  "whp reinforce", "whp labels")
        shell.run("whp finetune --plot " + whp)
        #expect(try figure(whp).elements("circle").count == 3)
        #expect(shell.shell.errorCount == 2)   // lens --plot without --all-positions, compare --plot without --field
    }
}
