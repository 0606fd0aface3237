// ScatterChart.swift — one point per model with its 95% interval on both axes, e.g. the protection
// an attack leaves against the perplexity a procedure cost (`finetune --cost`), inside the same
// projectable frame as the curve charts, with goal lines across and along.
import Foundation

public struct ScatterPoint {
    public let label: String
    public let x: Double
    public let y: Double
    public var xInterval: (lower: Double, upper: Double)?
    public var yInterval: (lower: Double, upper: Double)?

    public init(label: String, x: Double, y: Double, xInterval: (lower: Double, upper: Double)? = nil, yInterval: (lower: Double, upper: Double)? = nil) {
        self.label = label; self.x = x; self.y = y; self.xInterval = xInterval; self.yInterval = yInterval
    }
}

/// A vertical reference line, e.g. a cost budget.
public struct VerticalLine {
    public let x: Double
    public let label: String
    public init(x: Double, label: String) { self.x = x; self.label = label }
}

public enum ScatterChart {
    /// Markers beyond the palette's eight colours change shape, so every point stays distinct.
    static let shapes = ["circle", "square", "diamond"]

    /// A 1280×720 SVG: each point with interval whiskers on both axes, round ticks covering every
    /// value, interval and reference line (never clamped), and a legend under the plot.
    public static func svg(_ points: [ScatterPoint], title: String, xLabel: String, yLabel: String,
                           horizontal: [ReferenceLine] = [], vertical: [VerticalLine] = [], preferredY: ClosedRange<Double>? = nil) -> String {
        let shown = points.filter { $0.x.isFinite && $0.y.isFinite }
        func extent(_ values: [Double]) -> (Double, Double) {
            let finite = values.filter(\.isFinite)
            return (finite.min() ?? 0, finite.max() ?? 1)
        }
        var (xLow, xHigh) = extent(shown.flatMap { [$0.x, $0.xInterval?.lower ?? $0.x, $0.xInterval?.upper ?? $0.x] } + vertical.map(\.x))
        var (yLow, yHigh) = extent(shown.flatMap { [$0.y, $0.yInterval?.lower ?? $0.y, $0.yInterval?.upper ?? $0.y] } + horizontal.map(\.y))
        if let preferredY { yLow = min(yLow, preferredY.lowerBound); yHigh = max(yHigh, preferredY.upperBound) }
        if xHigh - xLow < 1e-9 { xLow -= 0.5; xHigh += 0.5 }
        if yHigh - yLow < 1e-9 { yLow -= 0.5; yHigh += 0.5 }
        let frame = ChartFrame(legendLabels: shown.map(\.label), xTicks: CurveChart.ticks(xLow, xHigh), yTicks: CurveChart.ticks(yLow, yHigh))
        var out = frame.header(title: title) + frame.axes(xLabel: xLabel, yLabel: yLabel)
        for reference in horizontal { out += frame.horizontal(reference) }
        for reference in vertical where reference.x.isFinite {
            out += String(format: "<line class=\"reference\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"6 6\"/>",
                          frame.px(reference.x), frame.px(reference.x), frame.top, frame.plotBottom)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%@</text>\n", frame.px(reference.x) + 6, frame.top + 20, ChartFrame.escape(reference.label))
        }
        for (i, point) in shown.enumerated() {
            let color = CurveChart.palette[i % CurveChart.palette.count], shape = shapes[(i / CurveChart.palette.count) % shapes.count]
            let (x, y) = (frame.px(point.x), frame.py(point.y))
            if let interval = point.xInterval, interval.lower.isFinite, interval.upper.isFinite {
                out += String(format: "<line class=\"whisker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>",
                              frame.px(interval.lower), frame.px(interval.upper), y, y, color)
            }
            if let interval = point.yInterval, interval.lower.isFinite, interval.upper.isFinite {
                out += String(format: "<line class=\"whisker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>",
                              x, x, frame.py(interval.lower), frame.py(interval.upper), color)
            }
            out += marker(shape, x: x, y: y, color: color, className: "point") + "\n"
            let (lx, ly) = frame.legendPosition(i)
            out += marker(shape, x: lx + 18, y: ly, color: color, className: "legend-marker")
            out += String(format: "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">%@</text>\n", lx + 44, ly + 7, ChartFrame.escape(point.label))
        }
        return out + "</svg>\n"
    }

    private static func marker(_ shape: String, x: Double, y: Double, color: String, className: String) -> String {
        switch shape {
        case "square": return String(format: "<rect class=\"%@\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"14\" fill=\"%@\"/>", className, x - 7, y - 7, color)
        case "diamond": return String(format: "<polygon class=\"%@\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" fill=\"%@\"/>", className,
                                      x, y - 9, x + 9, y, x, y + 9, x - 9, y, color)
        default: return String(format: "<circle class=\"%@\" cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%@\"/>", className, x, y, color)
        }
    }
}
