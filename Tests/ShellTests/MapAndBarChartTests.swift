// MapAndBarChartTests.swift — the heat map (attention, lens, diff, patch) and the bar chart (compare):
// well-formed 1280×720 SVG, every mark inside the canvas, labels that stay readable, and values outside
// the colour scale or the other bars drawn where they are.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Shell
import Testing

@Suite("Heat maps and bar charts")
struct MapAndBarChartTests {
    private func number(_ attributes: [String: String], _ key: String) -> Double { attributes[key].flatMap(Double.init) ?? .nan }

    private func insideTheCanvas(_ rects: [[String: String]]) -> Bool {
        rects.allSatisfy { r in
            number(r, "x") >= 0 && number(r, "y") >= 0 && number(r, "x") + number(r, "width") <= 1280 && number(r, "y") + number(r, "height") <= 720
        }
    }

    @Test func aSmallMapIsLargeAndKeepsValuesBeyondItsScale() throws {
        let map = HeatMap(title: "Patching", rowLabels: ["block 0", "block 1", "block 2"], columnLabels: ["The", " name", " is", " Holmes"],
                          values: [[0.1, -0.4, 2.5, .nan], [0, 0.5, 1, -1], [-3, 0.2, 0.3, 0.9]])
        let e = try parse(map.svg())
        let root = try #require(e.all.first?.attributes)
        #expect(root["viewBox"] == "0 0 1280 720" && root["width"] == "1280" && root["height"] == "720")
        #expect(number(root, "font-size") >= 12)
        let cells = e.elements("rect", class: "cell")
        #expect(cells.count == 12 && insideTheCanvas(cells))
        #expect(number(cells[0], "width") >= 60, "a 3 × 4 map should fill the frame, not sit in a corner: \(cells[0])")
        // 2.5 and −3 lie beyond the scale −1…1: they take its end colours and keep their own numbers.
        #expect(cells[2]["fill"] == map.color(1) && cells[8]["fill"] == map.color(-1) && cells[3]["fill"] == "#bbbbbb")
        #expect(e.texts.contains("2.50") && e.texts.contains("-3.00") && e.texts.contains { $0.contains("2.500") } && e.texts.contains { $0.contains("undefined") })
        #expect(e.textsByClass["row"] == ["block 0", "block 1", "block 2"] && e.textsByClass["column"]?.count == 4)
    }

    @Test func aLargeMapFitsAndThinsItsLabels() throws {
        let n = 128
        let labels = (0..<n).map { "t\($0)" }
        let values = (0..<n).map { r in (0..<n).map { c in c <= r ? 1 / Double(r + 1) : Double.nan } }
        let e = try parse(HeatMap(title: String(repeating: "a long title ", count: 12), rowLabels: labels, columnLabels: labels,
                                  values: values, scale: 0...1).svg())
        let cells = e.elements("rect", class: "cell")
        #expect(cells.count == n * n && insideTheCanvas(cells))
        let rows = e.textsByClass["row"] ?? [], columns = e.textsByClass["column"] ?? []
        #expect(rows.first == "t0" && (8...64).contains(rows.count) && columns.count == rows.count, "\(rows.count) row labels")
        // No per-cell numbers at this size: they would be unreadable (each cell's <title> keeps its value).
        #expect(!e.texts.contains("1.00"))
        let title = try #require(e.all.first { $0.name == "text" }?.attributes)
        #expect(number(title, "font-size") * 0.55 * Double(12 * 13) <= 1280)
    }

    @Test func barsAreDrawnToScaleFromZeroWithTheirIntervals() throws {
        let bars = [Bar(label: "original", value: 0.79, interval: (0.76, 0.82)), Bar(label: "collapsed", value: -0.05),
                    Bar(label: "sophon", value: 0.31, interval: (0.27, 0.35))]
        let e = try parse(BarChart.svg(bars, title: "t", yLabel: "accuracy", reference: ReferenceLine(y: 0.5, label: "chance")))
        let rects = e.elements("rect", class: "bar")
        #expect(rects.count == 3 && insideTheCanvas(rects))
        let ticks = (e.textsByClass["ytick"] ?? []).compactMap(Double.init)
        #expect((ticks.min() ?? 0) <= -0.05 && (ticks.max() ?? 0) >= 0.82, "\(ticks)")
        // Heights in the values' ratios, from one zero line.
        let heights = rects.map { number($0, "height") }
        #expect(abs(heights[0] / heights[2] - 0.79 / 0.31) < 0.02 && abs(heights[1] / heights[2] - 0.05 / 0.31) < 0.02)
        #expect(e.elements("line", class: "whisker").count == 2 && e.elements("line", class: "reference").count == 1)
        #expect(e.textsByClass["category"] == ["original", "collapsed", "sophon"] && e.texts.contains("chance"))
    }

    /// The terminal chart `finetune` prints keeps its 0.40 floor when every value is above it (recorded
    /// sessions print the same chart), and reaches down to a value below it instead of clamping it.
    @Test func theTerminalChartReachesDownToALowValue() {
        let low = CurveChart.text([CurveSeries(label: "scratch", points: [(0, 0.34), (1, 0.7), (2, 0.8)])], xLabel: "epoch")
        #expect(low[0].hasPrefix(" 1.00 ┤") && low[11].hasPrefix(" 0.30 ┤"))
        // 0.34 on an axis from 0.30 to 1.00 in 11 steps is row 11 − round(0.04 / 0.70 × 11) = 10, first column.
        #expect(low[10].hasPrefix("      ┤●") && !low[11].contains("●"))
        let high = CurveChart.text([CurveSeries(label: "original", points: [(0, 0.48), (1, 0.79)])], xLabel: "epoch")
        #expect(high[11].hasPrefix(" 0.40 ┤"))
    }
}
