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

    /// A 1280×720 SVG fit to project, like the charts: one square per value, as large as the map
    /// allows (at most 96 px); each value (or cell label) written in its square when the square has
    /// room for it; row and column labels at 12–18 px, thinned to every k-th when squares are small; a
    /// colour key. Each square's `<title>` carries its exact value, drawn or not.
    func svg() -> String {
        let (width, height, top, keyWidth, right) = (1280.0, 720.0, 70.0, 150.0, 30.0)
        let shownRows = rowLabels.map { String($0.prefix(18)) }, shownColumns = columnLabels.map { String($0.prefix(14)) }
        let left = 20 + 10 * Double(shownRows.map(\.count).max() ?? 4)
        // Rotated column labels take about 0.7 of their length in height.
        let bottom = 30 + 7 * Double(shownColumns.map(\.count).max() ?? 4)
        let columns = max(1, values.first?.count ?? columnLabels.count), rows = max(1, values.count)
        // Whole pixels while they fit; a map of more than a few hundred positions gets fractional squares, never more than the frame.
        let fit = min(96, (width - left - keyWidth - right) / Double(columns), (height - top - bottom) / Double(rows))
        let cell = fit >= 4 ? fit.rounded(.down) : fit
        // Labels every k-th row or column, so that neighbouring labels stay at least 20 px apart.
        let every = max(1, Int((20 / cell).rounded(.up)))
        let labelSize = min(18, max(12, cell * 0.6)), valueSize = min(20, cell * 0.3)
        // About 0.55 em a character: a long title shrinks to fit the width rather than run off it.
        let titleSize = min(28, (width - 40) / (0.55 * Double(max(1, title.count))))
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="\(String(format: "%.0f", labelSize))">
        <rect width="100%" height="100%" fill="white"/>
        <text x="20" y="42" font-size="\(String(format: "%.0f", titleSize))">\(escape(title))</text>

        """
        for (r, row) in values.enumerated() {
            let y = top + cell * Double(r)
            if r % every == 0 {
                out += "<text class=\"row\" x=\"\(left - 8)\" y=\"\(y + cell / 2 + labelSize / 3)\" text-anchor=\"end\">\(escape(shownRows[r]))</text>\n"
            }
            for (c, value) in row.enumerated() {
                let x = left + cell * Double(c)
                let text = cellLabels?[r][c]
                out += "<rect class=\"cell\" x=\"\(x)\" y=\"\(y)\" width=\"\(cell > 4 ? cell - 1 : cell)\" height=\"\(cell > 4 ? cell - 1 : cell)\" fill=\"\(color(value))\"><title>\(escape(rowLabels[r])), \(escape(columnLabels[c])): \(text.map { escape($0) + " " } ?? "")\(value.isFinite ? String(format: "%.3f", value) : "undefined")</title></rect>\n"
                guard valueSize >= 9 else { continue }   // too small to read: the colour and the title say it
                let label = text.map { escape(String($0.prefix(6))) } ?? (value.isFinite ? String(format: "%.2f", value) : "–")
                let ink = abs(value.isFinite ? value : 0) > 0.6 * max(abs(scale.lowerBound), abs(scale.upperBound)) ? "white" : "black"
                out += "<text x=\"\(x + cell / 2)\" y=\"\(y + cell / 2 + valueSize / 3)\" text-anchor=\"middle\" font-size=\"\(String(format: "%.0f", valueSize))\" fill=\"\(ink)\">\(label)</text>\n"
            }
        }
        let mapBottom = top + cell * Double(rows)
        for (c, label) in shownColumns.enumerated() where c % every == 0 {
            let x = left + cell * Double(c) + cell / 2
            out += "<text class=\"column\" x=\"\(x)\" y=\"\(mapBottom + 16)\" transform=\"rotate(45 \(x) \(mapBottom + 16))\">\(escape(label))</text>\n"
        }
        // Colour key: the scale's ends and its middle, beside the map.
        let keyX = min(width - keyWidth, left + cell * Double(columns) + 30)
        for (i, v) in [scale.upperBound, (scale.lowerBound + scale.upperBound) / 2, scale.lowerBound].enumerated() {
            let y = top + Double(i) * 40
            out += "<rect class=\"key\" x=\"\(keyX)\" y=\"\(y)\" width=\"28\" height=\"28\" fill=\"\(color(v))\" stroke=\"#888\"/>"
            out += "<text x=\"\(keyX + 38)\" y=\"\(y + 21)\" font-size=\"18\">\(String(format: "%.3g", v))</text>\n"
        }
        return out + "</svg>\n"
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
