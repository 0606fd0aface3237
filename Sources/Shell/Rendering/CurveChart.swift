// CurveChart.swift — learning curves as a Unicode chart for the terminal and as an SVG file.
import Foundation
import GPT2
import Procedures

public struct CurveSeries {
    public let label: String
    public let points: [(x: Double, y: Double)]
    /// A 95% interval per point (same order as `points`), drawn as a shaded band; nil for none.
    public var band: [(lower: Double, upper: Double)]?

    public init(label: String, points: [(x: Double, y: Double)], band: [(lower: Double, upper: Double)]? = nil) {
        self.label = label; self.points = points; self.band = band
    }
}

/// A horizontal reference line, e.g. chance accuracy or a goal.
public struct ReferenceLine {
    public let y: Double
    public let label: String
    public init(y: Double, label: String) { self.y = y; self.label = label }
}

public enum CurveChart {
    static let markers: [Character] = ["●", "▲", "■", "◆", "○", "△", "□", "◇", "✚", "✖"]

    /// A `height`-row text chart of y against x, one marker per series, with a legend. The y axis runs
    /// from `preferredMin` up to `yMax`, and lower (to the tenth below) when a value lies below it, so
    /// that no value is drawn anywhere but where it is.
    static func text(_ series: [CurveSeries], xLabel: String, preferredMin: Double = 0.4, yMax: Double = 1.0,
                     width: Int = 56, height: Int = 12) -> [String] {
        let xs = series.flatMap { $0.points.map(\.x) }
        guard let xMax = xs.max(), xMax > 0 else { return [] }
        let lowest = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite).min() ?? preferredMin
        let yMin = min(preferredMin, (lowest * 10).rounded(.down) / 10)
        var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
        for (s, curve) in series.enumerated() {
            for point in curve.points where point.y.isFinite {
                let column = min(width - 1, Int((point.x / xMax * Double(width - 1)).rounded()))
                let clamped = min(max(point.y, yMin), yMax)
                let row = height - 1 - min(height - 1, Int(((clamped - yMin) / (yMax - yMin) * Double(height - 1)).rounded()))
                grid[row][column] = markers[s % markers.count]
            }
        }
        var lines: [String] = []
        for (r, row) in grid.enumerated() {
            let y = yMax - Double(r) / Double(height - 1) * (yMax - yMin)
            let label = (r % 3 == 0 || r == height - 1) ? String(format: "%5.2f", y) : "     "
            lines.append(label + " ┤" + String(row))
        }
        lines.append("      └" + String(repeating: "─", count: width))
        lines.append("       0" + String(repeating: " ", count: max(1, width - 8 - xLabel.count)) + xLabel + String(format: " %g", xMax))
        for (s, curve) in series.enumerated() { lines.append("       \(markers[s % markers.count]) \(curve.label)") }
        return lines
    }

    /// Okabe–Ito: distinguishable with the common colour blindnesses, and on a projector.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]
    static let dashes = ["", "8 4", "2 4", "12 4 2 4"]

    /// About `count` round tick values covering `lower…upper` (steps of 1, 2 or 5 × 10ⁿ).
    public static func ticks(_ lower: Double, _ upper: Double, count: Int = 6) -> [Double] {
        guard lower.isFinite, upper.isFinite else { return [] }
        let span = max(upper - lower, 1e-12)
        let raw = span / Double(max(1, count - 1))
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (lower / step).rounded(.down) * step
        var values: [Double] = []
        var v = first
        while v <= upper + step * 1e-9 && values.count < 50 {
            values.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        if let last = values.last, last < upper - step * 1e-9 { values.append(last + step) }
        return values
    }

    /// The y range: every finite value, band and reference line, widened to round ticks. `preferred`
    /// is where the chart starts (0.4…1 for accuracies) but never hides a value outside it.
    static func yRange(_ series: [CurveSeries], references: [ReferenceLine], preferred: ClosedRange<Double>?) -> (ClosedRange<Double>, [Double]) {
        var values = series.flatMap { $0.points.map(\.y) } + series.flatMap { ($0.band ?? []).flatMap { [$0.lower, $0.upper] } } + references.map(\.y)
        values = values.filter(\.isFinite)
        var lower = values.min() ?? 0, upper = values.max() ?? 1
        if let preferred { lower = min(lower, preferred.lowerBound); upper = max(upper, preferred.upperBound) }
        if upper - lower < 1e-9 { lower -= 0.5; upper += 0.5 }
        let t = ticks(lower, upper)
        return ((t.first ?? lower)...(t.last ?? upper), t)
    }

    /// A standalone SVG line chart fit to project (1280×720): ticks on both axes, every value drawn
    /// where it is, interval bands, dashed reference lines, the legend under the plot.
    static let maxDotsPerSeries = 60

    public static func svg(_ series: [CurveSeries], title: String, xLabel: String, yLabel: String,
                    references: [ReferenceLine] = [], preferredY: ClosedRange<Double>? = nil) -> String {
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        var xTicks = ticks(min(0, xs.min() ?? 0), xs.max() ?? 1)
        if xs.allSatisfy({ $0.rounded() == $0 }), xTicks.filter({ $0.rounded() == $0 }).count >= 2 {
            xTicks = xTicks.filter { $0.rounded() == $0 }   // epochs, steps, iterations: whole numbers only
        }
        let (_, yTicks) = yRange(series, references: references, preferred: preferredY)
        let frame = ChartFrame(legendLabels: series.map(\.label), xTicks: xTicks, yTicks: yTicks)
        let (px, py, esc) = (frame.px, frame.py, ChartFrame.escape)
        var out = frame.header(title: title) + frame.axes(xLabel: xLabel, yLabel: yLabel)
        for reference in references { out += frame.horizontal(reference) }
        for (s, curve) in series.enumerated() {
            let color = palette[s % palette.count], dash = dashes[(s / palette.count) % dashes.count]
            let finite = curve.points.indices.filter { curve.points[$0].y.isFinite && curve.points[$0].x.isFinite }
            if let band = curve.band, band.count == curve.points.count {
                let ok = finite.filter { band[$0].lower.isFinite && band[$0].upper.isFinite }
                let upper = ok.map { String(format: "%.1f,%.1f", px(curve.points[$0].x), py(band[$0].upper)) }
                let lower = ok.reversed().map { String(format: "%.1f,%.1f", px(curve.points[$0].x), py(band[$0].lower)) }
                out += "<polygon class=\"band\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
            }
            let pts = finite.map { String(format: "%.1f,%.1f", px(curve.points[$0].x), py(curve.points[$0].y)) }.joined(separator: " ")
            out += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"3\"" + (dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"") + " points=\"\(pts)\"/>\n"
            // A dot per value while they can be told apart; a run of hundreds of iterations is a line.
            for i in finite where finite.count <= CurveChart.maxDotsPerSeries {
                out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%@\"/>", px(curve.points[i].x), py(curve.points[i].y), color)
            }
            let (lx, ly) = frame.legendPosition(s)
            out += String(format: "\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"3\"%@/>", lx, lx + 36, ly, ly, color,
                          dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")
            out += String(format: "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%@</text>\n", lx + 44, ly + 7, esc(curve.label))
        }
        return out + "</svg>\n"
    }
}

/// A procedure's figure (`sophon run --plot`, `whp finetune --plot`), drawn as every curve chart is.
extension ProcedureFigure {
    /// The figure as every curve chart is drawn.
    var svg: String {
        CurveChart.svg(series.map { CurveSeries(label: $0.label, points: $0.points) }, title: title, xLabel: xLabel,
                       yLabel: yLabel, references: references.map { ReferenceLine(y: $0.y, label: $0.label) }, preferredY: preferredY)
    }
}
