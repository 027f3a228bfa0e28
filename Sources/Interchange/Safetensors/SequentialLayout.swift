// Which tensors make which layer: the key names of a PyTorch `nn.Sequential` of Linear and ReLU.
//
// The tutorial's model is
//
//     nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
//
// and `state_dict()` names a submodule's parameters by its index in the Sequential. The ReLUs have
// no parameters but take indices, so Linear layer l is submodule 2l:
//
//     layer 0: "0.weight" [512, 784], "0.bias" [512]
//     layer 1: "2.weight" [256, 512], "2.bias" [256]
//     layer 2: "4.weight" [10, 256],  "4.bias" [10]
//
// These are the names the writer uses, so `model.load_state_dict(safetensors.torch.load_file(path))`
// works on that model (and on any depth: `nn.Sequential` of L Linear layers with ReLUs between).
// The reader also accepts one common prefix before the index, as when the Sequential is an
// attribute of a module (PyTorch's quickstart: "linear_relu_stack.0.weight"). Anything else (a
// missing or extra tensor, an odd index, mixed prefixes) is refused.

/// The tensors of each Linear layer, found by name and checked for shape.
struct SequentialLayout {
    /// Input size, then each layer's output size.
    let layerSizes: [Int]
    let weights: [TensorEntry]
    let biases: [TensorEntry]

    /// The name of layer `layer`'s tensor `kind` ("weight" or "bias").
    static func name(layer: Int, _ kind: String, prefix: String = "") -> String {
        "\(prefix)\(2 * layer).\(kind)"
    }

    init(_ tensors: [TensorEntry]) throws(SafetensorsError.Problem) {
        // Sort every name into (prefix, index, kind).
        var byName: [String: TensorEntry] = [:]
        var seenPrefix: String?
        var lastLayer = 0
        for t in tensors {
            guard let parsed = Self.parse(t.name), parsed.index % 2 == 0, seenPrefix == nil || seenPrefix == parsed.prefix else {
                throw .unexpectedTensor(name: t.name, expected: Self.expectedNames(prefix: seenPrefix ?? ""))
            }
            seenPrefix = parsed.prefix
            lastLayer = max(lastLayer, parsed.index / 2)
            byName[t.name] = t
        }
        let prefix = seenPrefix ?? ""  // at least one tensor: the header refuses an empty file

        var sizes: [Int] = []
        var weights: [TensorEntry] = []
        var biases: [TensorEntry] = []
        for layer in 0...lastLayer {
            let weightName = Self.name(layer: layer, "weight", prefix: prefix)
            let biasName = Self.name(layer: layer, "bias", prefix: prefix)
            guard let w = byName[weightName] else { throw .missingTensor(name: weightName) }
            guard let b = byName[biasName] else { throw .missingTensor(name: biasName) }
            guard w.shape.count == 2, w.shape.allSatisfy({ $0 > 0 }) else {
                throw .wrongShape(tensor: w.name, shape: w.shape, expected: "[out, in] with both above 0")
            }
            let (outputs, inputs) = (w.shape[0], w.shape[1])
            guard b.shape == [outputs] else { throw .wrongShape(tensor: b.name, shape: b.shape, expected: "[\(outputs)] as \(shown(w.name)) has \(outputs) outputs") }
            if layer == 0 {
                sizes.append(inputs)
            } else if inputs != sizes[layer] {
                throw .shapesDoNotChain(tensor: w.name, inputs: inputs, previous: weights[layer - 1].name, previousOutputs: sizes[layer])
            }
            sizes.append(outputs)
            weights.append(w)
            biases.append(b)
        }
        layerSizes = sizes
        self.weights = weights
        self.biases = biases
    }

    /// "linear_relu_stack.4.weight" -> ("linear_relu_stack.", 4, "weight"); nil when not of that form.
    private static func parse(_ name: String) -> (prefix: String, index: Int)? {
        let stem: Substring
        if name.hasSuffix(".weight") {
            stem = name.dropLast(".weight".count)
        } else if name.hasSuffix(".bias") {
            stem = name.dropLast(".bias".count)
        } else {
            return nil
        }
        let digits = stem.reversed().prefix { $0.isASCII && $0.isNumber }
        // 1 to 6 digits, no leading zero: an index PyTorch could have written, far from overflow.
        guard (1...6).contains(digits.count), digits.count == 1 || digits.last != "0" else { return nil }
        let prefix = stem.dropLast(digits.count)
        guard prefix.isEmpty || prefix.hasSuffix(".") else { return nil }
        return (String(prefix), Int(String(digits.reversed()))!)  // 1-6 ASCII digits: always an Int
    }

    private static func expectedNames(prefix: String) -> String {
        ["0.weight", "0.bias", "2.weight", "2.bias"].map { shown(prefix + $0) }.joined(separator: ", ") + ", ..."
    }
}
