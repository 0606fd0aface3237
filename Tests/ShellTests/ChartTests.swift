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

    @Test func legendEntriesNeverOverlap() throws {
        // Short labels share a row, three to a row; long ones (a run's three curves) get a row each.
        func legend(_ labels: [String]) throws -> [(x: Double, y: Double)] {
            let series = labels.map { CurveSeries(label: $0, points: [(0, 0.5), (1, 0.6)]) }
            return try parse(CurveChart.svg(series, title: "t", xLabel: "x", yLabel: "y")).elements("text", class: "legend")
                .compactMap { a in a["x"].flatMap(Double.init).flatMap { x in a["y"].flatMap(Double.init).map { (x, $0) } } }
        }
        let short = try legend(["original", "sophon", "scratch", "k50"])
        #expect(short.count == 4 && Set(short.map(\.y)).count == 2, "\(short)")
        let long = try legend(["simulated attacker's query accuracy, all inner steps", "the last fifth of the inner steps",
                               "original-domain perplexity ÷ its start"])
        #expect(long.count == 3 && Set(long.map(\.y)).count == 3, "\(long)")   // one to a row: none runs into the next
        let height = 720.0
        #expect(long.allSatisfy { $0.y < height }, "the legend must stay inside the figure: \(long)")
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

extension ChartTests {
    /// Protection against cost: a point per model with whiskers on both axes, goal lines both ways,
    /// and a point outside the preferred range (accuracy 0.31, a cost of −4%) drawn where it is.
    @Test func scatterPointsAndBothIntervalsAreDrawnWhereTheyAre() throws {
        let points = [ScatterPoint(label: "original", x: 0, y: 0.79, xInterval: (0, 0), yInterval: (0.76, 0.82)),
                      ScatterPoint(label: "sophon", x: 31, y: 0.64, xInterval: (24, 38), yInterval: (0.60, 0.68)),
                      ScatterPoint(label: "broken", x: -4, y: 0.31, xInterval: (-6, -2), yInterval: (0.27, 0.35))]
        let e = try parse(ScatterChart.svg(points, title: "t", xLabel: "perplexity (%)", yLabel: "accuracy",
                                           horizontal: [ReferenceLine(y: 0.6, label: "goal")], vertical: [VerticalLine(x: 10, label: "budget")],
                                           preferredY: 0.4...1))
        #expect(e.elements("circle", class: "point").count == 3 && e.elements("line", class: "whisker").count == 6)
        #expect(e.elements("line", class: "reference").count == 2 && e.texts.contains("goal") && e.texts.contains("budget"))
        #expect(["original", "sophon", "broken"].allSatisfy(e.texts.contains))
        let xs = (e.textsByClass["xtick"] ?? []).compactMap(Double.init), ys = (e.textsByClass["ytick"] ?? []).compactMap(Double.init)
        #expect((xs.min() ?? 0) <= -6 && (xs.max() ?? 0) >= 38 && (ys.min() ?? 1) <= 0.27 && (ys.max() ?? 0) >= 1, "\(xs) \(ys)")
        // Linear in both axes: the pixel offsets between points are in the values' ratios.
        let cx = e.elements("circle", class: "point").compactMap { $0["cx"].flatMap(Double.init) }
        let cy = e.elements("circle", class: "point").compactMap { $0["cy"].flatMap(Double.init) }
        #expect(abs((cx[1] - cx[0]) / (cx[0] - cx[2]) - 31.0 / 4) < 0.05)
        #expect(abs((cy[2] - cy[0]) / (cy[1] - cy[0]) - (0.79 - 0.31) / (0.79 - 0.64)) < 0.05)
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

        let diff = temporaryPath("diff.svg")
        #expect(shell.run("diff gpt2-mini other --plot " + diff).contains("heat map written to"))
        #expect(try figure(diff).elements("rect", class: "cell").count == 1 * 6)   // 1 block × 6 parameter groups

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
