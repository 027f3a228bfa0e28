// The `--metrics` lines issue 9 adds: which run of a `--vs` comparison a line belongs to, and the
// layer-health figures (a `layers` line per report, and the latest on each epoch line).
import Engine
import MNISTData

/// Run k of a `--vs` comparison: every line of its metrics carries `"run":k,"label":"..."`.
struct MetricsTag: Sendable, Equatable {
    var run: Int
    var label: String
}

extension MetricsFormat {
    /// The writer asks the engine for layer health this often (steps; and at each epoch's end): a
    /// `layers` line each time, the latest figures on the epoch line. A report costs about 0.4 of a
    /// step (measured with `mnist-tui-bench --layer-health 1`), so every 100 steps is about 0.6%
    /// of training time, inside the 1% budget (`--layer-health 100` measures it).
    static let layerHealthEvery = 100

    /// `line` (an object whose first field is `"type"`) with `"run"` and `"label"` after the type;
    /// unchanged without a tag, so a single run's file is as it always was.
    static func tagged(_ line: String, _ tag: MetricsTag?) -> String {
        guard let tag, let comma = line.firstIndex(of: ",") else { return line }
        let fields: String = "\"run\":\(tag.run),\"label\":" + JSONText.quoted(tag.label) + ","
        return String(line[...comma]) + fields + String(line[line.index(after: comma)...])
    }

    /// `{"type":"layers","step":S,"layers":[{...},...]}`: one report, first layer first.
    static func layersLine(_ health: LayerHealth) -> String {
        "{\"type\":\"layers\",\(layersFields(health))}"
    }

    /// `"layers_step":S,"layers":[...]`, the fields an epoch line adds (see `layersFields`).
    static func epochLine(_ line: String, health: LayerHealth?) -> String {
        guard let health, line.hasSuffix("}") else { return line }
        return String(line.dropLast()) + ",\"layers_step\":\(health.step),\"layers\":[\(layerObjects(health))]}"
    }

    /// Each layer as `{"weight_rms":..,"grad_rms":..,"update_ratio":..,"act_mean":..,"act_std":..,"dead":..}`.
    private static func layerObjects(_ health: LayerHealth) -> String {
        health.layers.map { l -> String in
            let fields: [(String, Float)] = [("weight_rms", l.weightRMS), ("grad_rms", l.gradientRMS),
                                             ("update_ratio", l.updateRatio), ("act_mean", l.activationMean),
                                             ("act_std", l.activationStd), ("dead", l.deadFraction)]
            return "{" + fields.map { "\"\($0.0)\":" + NumberFormatting.json($0.1) }.joined(separator: ",") + "}"
        }.joined(separator: ",")
    }

    private static func layersFields(_ health: LayerHealth) -> String {
        "\"step\":\(health.step),\"layers\":[\(layerObjects(health))]"
    }
}
