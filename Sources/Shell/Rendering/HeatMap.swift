// HeatMap.swift — a rows × columns map of numbers (activation patching, later attention and weight
// changes) as aligned text for the terminal and as an SVG file fit to project.
import Foundation

struct HeatMap {
    let title: String
    let rowLabels: [String]
    let columnLabels: [String]
    let values: [[Double]]   // [row][column]; NaN is drawn grey
    /// The value drawn as the strongest colour at each end; values beyond it keep that colour and their own label.
    var scale: ClosedRange<Double> = -1...1
    /// Text drawn in each cell instead of its value (the logit lens's top token), `[row][column]`.
    var cellLabels: [[String]]? = nil

    /// Rows of `%.2f` cells under the column labels.
    func text() -> [String] {
        let labelWidth = (rowLabels.map(\.count).max() ?? 4) + 2
        let cell = max(7, min(12, (columnLabels.map(\.count).max() ?? 4) + 2))
        var lines = [String(repeating: " ", count: labelWidth) + columnLabels.map { pad(String($0.prefix(cell - 1)), cell) }.joined()]
        for (r, row) in values.enumerated() {
            lines.append(pad(rowLabels[r], labelWidth) + row.map { pad($0.isFinite ? String(format: "%+.2f", $0) : "–", cell) }.joined())
        }
        return lines
    }

    /// A diverging blue–white–red colour (ColorBrewer RdBu ends, readable by the common colour blindnesses).
    func color(_ value: Double) -> String {
        guard value.isFinite else { return "#bbbbbb" }
        let t = max(-1, min(1, value >= 0 ? value / max(scale.upperBound, 1e-12) : -value / min(scale.lowerBound, -1e-12)))
        let (end): (Double, Double, Double) = t >= 0 ? (178, 24, 43) : (33, 102, 172)
        let a = abs(t)
        func mix(_ c: Double) -> Int { Int((255 + (c - 255) * a).rounded()) }
        return String(format: "#%02x%02x%02x", mix(end.0), mix(end.1), mix(end.2))
    }

    /// A standalone SVG: one labelled square per value, row and column labels, a colour key.
    func svg() -> String {
        let cell = 44.0, left = 12.0 + Double((rowLabels.map(\.count).max() ?? 4) * 8), top = 64.0
        let width = max(left + cell * Double(columnLabels.count) + 120, left + Double(title.count) * 10 + 24), height = top + cell * Double(rowLabels.count) + 90
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="16" font-weight="bold">\(escape(title))</text>

        """
        for (r, row) in values.enumerated() {
            let y = top + cell * Double(r)
            out += "<text x=\"\(left - 8)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"end\">\(escape(rowLabels[r]))</text>\n"
            for (c, value) in row.enumerated() {
                let x = left + cell * Double(c)
                let text = cellLabels?[r][c]
                out += "<rect class=\"cell\" x=\"\(x)\" y=\"\(y)\" width=\"\(cell - 1)\" height=\"\(cell - 1)\" fill=\"\(color(value))\"><title>\(escape(rowLabels[r])), \(escape(columnLabels[c])): \(text.map { escape($0) + " " } ?? "")\(value.isFinite ? String(format: "%.3f", value) : "undefined")</title></rect>\n"
                let label = text.map { escape(String($0.prefix(6))) } ?? (value.isFinite ? String(format: "%.2f", value) : "–")
                let ink = abs(value.isFinite ? value : 0) > 0.6 * max(abs(scale.lowerBound), abs(scale.upperBound)) ? "white" : "black"
                out += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + 4)\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(ink)\">\(label)</text>\n"
            }
        }
        let bottom = top + cell * Double(rowLabels.count)
        for (c, label) in columnLabels.enumerated() {
            let x = left + cell * Double(c) + cell / 2
            out += "<text x=\"\(x)\" y=\"\(bottom + 12)\" transform=\"rotate(45 \(x) \(bottom + 12))\">\(escape(String(label.prefix(14))))</text>\n"
        }
        // Colour key: the scale's ends and its middle.
        let keyX = left + cell * Double(columnLabels.count) + 24
        for (i, v) in [scale.upperBound, (scale.lowerBound + scale.upperBound) / 2, scale.lowerBound].enumerated() {
            let y = top + Double(i) * 28
            out += "<rect class=\"key\" x=\"\(keyX)\" y=\"\(y)\" width=\"20\" height=\"20\" fill=\"\(color(v))\" stroke=\"#888\"/>"
            out += "<text x=\"\(keyX + 28)\" y=\"\(y + 15)\">\(String(format: "%g", v))</text>\n"
        }
        return out + "</svg>\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
