// ForgetReportTests.swift — `forget report` gives the five metric groups, and on the shipped models it
// tells the original from the model that never saw the Holmes books.
import Foundation
import Shell
import Testing

@Suite("Forget report", .serialized)
struct ForgetReportTests {
    @Test func allFiveMetricGroupsAndAModelIsIndistinguishableFromItself() throws {
        let shell = CapturingShell()
        shell.run("load model \(TestModel.path) --name a", "load model \(TestModel.path) --name ref")
        let out = shell.run("forget report --models a --reference ref --passages 10 --length 16 --verbatim 3")
        for metric in ["verbatim ROUGE-L", "register probes hit %", "register answer probability", "MIA AUC, loss", "MIA AUC, Min-K%++",
                       "PrivLeak (Min-K%++)", "forget quality (KS p)", "original perplexity", "wikitext perplexity", "retain probes hit %"] {
            #expect(out.contains(metric), "\(metric) missing: \(out)")
        }
        let json = shell.run("forget report --models a --reference ref --passages 10 --length 16 --verbatim 3 --json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let a = try #require((object["models"] as? [String: Any])?["a"] as? [String: Any])
        #expect(a["forget_quality_ks_p"] as? Double == 1)   // the same weights: the same losses
        #expect(a["privleak"] as? Double == 0)
        // The figure: four panels with one bar per model, and the AUC panel's chance line.
        let figure = temporaryPath("forget.svg")
        shell.run("forget report --models a --reference ref --passages 10 --length 16 --verbatim 0 --plot \(figure)")
        let text = try String(contentsOfFile: figure, encoding: .utf8)
        #expect(!text.contains(">-0<"))   // KS p = 1 draws as 0
        let svg = try parse(text)
        #expect(svg.elements("svg", class: "panel").count == 4)
        #expect(svg.elements("rect", class: "bar").count == 4 * 2)
        #expect(svg.elements("line", class: "reference").count == 2)
    }

    @Test func theShippedOriginalIsFarFromTheNeverTrainedModel() throws {
        let json = CapturingShell().run("forget report --models gpt2-mini,gpt2-mini-noholmes --passages 20 --verbatim 0 --json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        let models = try #require(object["models"] as? [String: [String: Any]])
        let original = try #require(models["gpt2-mini"]), reference = try #require(models["gpt2-mini-noholmes"])
        #expect(try #require(original["forget_quality_ks_p"] as? Double) < 0.05)
        #expect(reference["forget_quality_ks_p"] as? Double == 1)
        #expect(try #require(original["mia_auc_min_k_plus_plus"] as? Double) > 0.65)
        #expect(abs(try #require(reference["mia_auc_min_k_plus_plus"] as? Double) - 0.5) < 0.15)
    }
}
