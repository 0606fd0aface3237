// BarChart.swift — one value per model as bars, with 95% intervals where the measurement has them:
// what `compare --plot` draws, fit to project like the curve charts.
import Foundation

public struct Bar {
    public let label: String
    public let value: Double
    public var interval: (lower: Double, upper: Double)?
    public init(label: String, value: Double, interval: (lower: Double, upper: Double)? = nil) {
        self.label = label; self.value = value; self.interval = interval
    }
}

public enum BarChart {
    /// A 1280×720 SVG: one bar per entry from zero (or from the lowest value when one is negative),
    /// round y ticks, interval whiskers, the value printed above each bar.
    public static func svg(_ bars: [Bar], title: String, yLabel: String, reference: ReferenceLine? = nil) -> String {
        let (w, h, left, right, top, bottom) = (1280.0, 720.0, 110.0, 40.0, 70.0, 130.0)
        let values = (bars.flatMap { [$0.value] + ($0.interval.map { [$0.lower, $0.upper] } ?? []) } + [reference?.y].compactMap { $0 }).filter(\.isFinite)
        let ticks = CurveChart.ticks(min(0, values.min() ?? 0), max(values.max() ?? 1, 1e-9))
        let low = ticks.first ?? 0, high = max(ticks.last ?? 1, low + 1e-9)
        func py(_ y: Double) -> Double { top + (1 - (y - low) / (high - low)) * (h - top - bottom) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let slot = (w - left - right) / Double(max(1, bars.count)), width = min(160, slot * 0.6)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"20\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"\(left)\" y=\"42\" font-size=\"28\">\(esc(title))</text>\n"
        for y in ticks {
            out += String(format: "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", left, w - right, py(y), py(y))
            out += String(format: "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 10, py(y) + 7, String(format: "%g", y))
        }
        out += String(format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, w - right, py(max(low, 0)), py(max(low, 0)))
        out += String(format: "<text x=\"30\" y=\"%.1f\" transform=\"rotate(-90 30 %.1f)\" text-anchor=\"middle\" font-size=\"22\">%@</text>\n",
                      (top + h - bottom) / 2, (top + h - bottom) / 2, esc(yLabel))
        for (i, bar) in bars.enumerated() where bar.value.isFinite {
            let x = left + slot * (Double(i) + 0.5), base = py(max(low, 0)), y = py(bar.value)
            let color = CurveChart.palette[i % CurveChart.palette.count]
            out += String(format: "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>", x - width / 2, min(y, base), width, abs(base - y), color)
            if let interval = bar.interval, interval.lower.isFinite, interval.upper.isFinite {
                out += String(format: "<line class=\"whisker\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-width=\"2\"/>", x, x, py(interval.lower), py(interval.upper))
                for end in [interval.lower, interval.upper] {
                    out += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\" stroke-width=\"2\"/>", x - 10, x + 10, py(end), py(end))
                }
            }
            let labelY = min(y, bar.interval.map { py($0.upper) } ?? y) - 10
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>", x, labelY, CompareCommand.show(bar.value))
            out += String(format: "<text class=\"category\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", x, h - bottom + 34, esc(bar.label))
        }
        if let reference, reference.y.isFinite {
            out += String(format: "<line class=\"reference\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"8 6\"/>", left, w - right, py(reference.y), py(reference.y))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%@</text>\n", w - right, py(reference.y) - 8, esc(reference.label))
        }
        return out + "</svg>\n"
    }

    /// Several charts of 1280×720 as a grid of panels in one 1280×720 figure (each scaled down), for a
    /// table of models that has metrics on different scales.
    public static func panels(_ charts: [String], title: String, columns: Int = 2) -> String {
        let (w, h, top) = (1280.0, 720.0, 50.0)
        let rows = max(1, (charts.count + columns - 1) / columns)
        let panelWidth = w / Double(columns), panelHeight = (h - top) / Double(rows)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"20\" y=\"34\" font-size=\"26\">\(title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</text>\n"
        for (i, chart) in charts.enumerated() {
            let x = Double(i % columns) * panelWidth, y = top + Double(i / columns) * panelHeight
            // Each chart's own root element becomes a nested, positioned and scaled <svg>.
            guard let open = chart.range(of: "<svg "), let close = chart[open.upperBound...].range(of: ">") else { continue }
            let placed = String(format: "<svg class=\"panel\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" viewBox=\"0 0 1280 720\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"26\">", x, y, panelWidth, panelHeight)
            out += placed + chart[close.upperBound...]
        }
        return out + "</svg>\n"
    }
}
