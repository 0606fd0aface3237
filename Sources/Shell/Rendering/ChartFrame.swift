// ChartFrame.swift — what every 1280×720 SVG chart shares, fit to project: the header and title,
// round ticks with grid lines, the axes and their labels, dashed reference lines and the legend
// under the plot. CurveChart and ScatterChart draw their marks inside it.
import Foundation

struct ChartFrame {
    let width = 1280.0, height = 720.0, left = 110.0, right = 40.0, top = 70.0
    let bottom: Double
    let xTicks: [Double]
    let yTicks: [Double]
    /// Legend entries per row under the plot: three, or fewer when the longest label needs the room.
    let legendColumns: Int

    /// `xTicks` and `yTicks` are round values covering the data; their ends are the axes' ends. The
    /// space under the plot holds the x-axis and a legend of `legendLabels`.
    init(legendLabels: [String], xTicks: [Double], yTicks: [Double]) {
        // About 11 px a character at font size 20, after the 44 px key, and a gap before the next entry.
        let widest = 44 + 11 * Double(legendLabels.map(\.count).max() ?? 0) + 24
        legendColumns = max(1, min(3, Int((width - left - right) / widest)))
        let rows = (legendLabels.count + legendColumns - 1) / legendColumns
        bottom = 110 + Double(rows) * 30
        self.xTicks = xTicks
        self.yTicks = yTicks
    }

    var xLow: Double { xTicks.first ?? 0 }
    var xHigh: Double { max(xTicks.last ?? 1, xLow + 1e-9) }
    var yLow: Double { yTicks.first ?? 0 }
    var yHigh: Double { max(yTicks.last ?? 1, yLow + 1e-9) }
    var plotBottom: Double { height - bottom }

    func px(_ x: Double) -> Double { left + (x - xLow) / (xHigh - xLow) * (width - left - right) }
    func py(_ y: Double) -> Double { top + (1 - (y - yLow) / (yHigh - yLow)) * (height - top - bottom) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A tick's text: whole numbers when the step is, else as many decimals as the step needs.
    static func tickLabel(_ v: Double, _ ticks: [Double]) -> String {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return step >= 1 && v.rounded() == v ? String(format: "%.0f", v) : String(format: step >= 0.1 ? "%.1f" : step >= 0.01 ? "%.2f" : "%.3g", v)
    }

    /// The opening tag, white background and title.
    func header(title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"20\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + "<text x=\"\(left)\" y=\"42\" font-size=\"28\">\(Self.escape(title))</text>\n"
    }

    /// Grid lines and tick labels on both axes, the axes, and the axis labels.
    func axes(xLabel: String, yLabel: String) -> String {
        var out = ""
        for y in yTicks {
            out += String(format: "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", left, width - right, py(y), py(y))
            out += String(format: "<text class=\"ytick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", left - 10, py(y) + 7, Self.tickLabel(y, yTicks))
        }
        for x in xTicks {
            out += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>", px(x), px(x), plotBottom, plotBottom + 8)
            out += String(format: "<text class=\"xtick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", px(x), plotBottom + 32, Self.tickLabel(x, xTicks))
        }
        out += String(format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, width - right, plotBottom, plotBottom)
        out += String(format: "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", left, left, top, plotBottom)
        out += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"22\">%@</text>\n", (left + width - right) / 2, plotBottom + 66, Self.escape(xLabel))
        out += String(format: "<text x=\"30\" y=\"%.1f\" transform=\"rotate(-90 30 %.1f)\" text-anchor=\"middle\" font-size=\"22\">%@</text>\n",
                      (top + plotBottom) / 2, (top + plotBottom) / 2, Self.escape(yLabel))
        return out
    }

    /// A dashed horizontal line across the plot, labelled at its right end.
    func horizontal(_ reference: ReferenceLine) -> String {
        guard reference.y.isFinite else { return "" }
        return String(format: "<line class=\"reference\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-width=\"2\" stroke-dasharray=\"6 6\"/>",
                      left, width - right, py(reference.y), py(reference.y))
            + String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%@</text>\n", width - right - 6, py(reference.y) - 8, Self.escape(reference.label))
    }

    /// Where legend entry `index` goes: `legendColumns` columns under the x-axis label.
    func legendPosition(_ index: Int) -> (x: Double, y: Double) {
        (left + Double(index % legendColumns) * (width - left - right) / Double(legendColumns), plotBottom + 100 + Double(index / legendColumns) * 30)
    }
}
