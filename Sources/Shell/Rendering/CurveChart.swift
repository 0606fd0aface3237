// CurveChart.swift — learning curves as a Unicode chart for the terminal and as an SVG file.
import Foundation
import GPT2

struct CurveSeries {
    let label: String
    let points: [(x: Double, y: Double)]
}

enum CurveChart {
    static let markers: [Character] = ["●", "▲", "■", "◆", "○", "△", "□", "◇", "✚", "✖"]
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// A `height`-row text chart of y in [yMin, yMax] against x, one marker per series, with a legend.
    static func text(_ series: [CurveSeries], xLabel: String, yMin: Double = 0.4, yMax: Double = 1.0,
                     width: Int = 56, height: Int = 12) -> [String] {
        let xs = series.flatMap { $0.points.map(\.x) }
        guard let xMax = xs.max(), xMax > 0 else { return [] }
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

    /// A standalone SVG line chart.
    static func svg(_ series: [CurveSeries], title: String, xLabel: String, yLabel: String,
                    yMin: Double = 0.4, yMax: Double = 1.0) -> String {
        let (w, h, left, right, top, bottom) = (720.0, 440.0, 60.0, 220.0, 40.0, 50.0)
        let xMax = max(1e-9, series.flatMap { $0.points.map(\.x) }.max() ?? 1)
        func px(_ x: Double) -> Double { left + x / xMax * (w - left - right) }
        func py(_ y: Double) -> Double { top + (1 - (min(max(y, yMin), yMax) - yMin) / (yMax - yMin)) * (h - top - bottom) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(left)\" y=\"24\" font-size=\"15\">\(esc(title))</text>\n"
        for i in 0...6 {
            let y = yMin + Double(i) / 6 * (yMax - yMin)
            out += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left, w - right, py(y), py(y))
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", left - 6, py(y) + 4, y)
        }
        out += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, w - right, h - bottom, h - bottom)
        out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@ (0 – %g)</text>\n", (left + w - right) / 2, h - 14, esc(xLabel), xMax)
        out += String(format: "<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">%@</text>\n", (top + h - bottom) / 2, (top + h - bottom) / 2, esc(yLabel))
        for (s, curve) in series.enumerated() {
            let color = colors[s % colors.count]
            let pts = curve.points.filter { $0.y.isFinite }.map { String(format: "%.1f,%.1f", px($0.x), py($0.y)) }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            for p in curve.points where p.y.isFinite {
                out += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", px(p.x), py(p.y), color)
            }
            let ly = top + 10 + Double(s) * 18
            out += String(format: "\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"/>", w - right + 12, w - right + 32, ly, ly, color)
            out += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@</text>\n", w - right + 38, ly + 4, esc(curve.label))
        }
        return out + "</svg>\n"
    }
}
