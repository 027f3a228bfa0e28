import Engine
import Foundation
import MNISTData

/// The first layer's training step (gather, `max(X·W0 + b0, 0)`, fused SGD update of W0 and b0) on
/// the same shuffled batches two ways: dense as the engine runs it today (BLAS over the batch's
/// active columns) and with the sparse kernels (CSR/CSC build included). Issue 12.
struct FirstLayerTiming: Codable {
    var dataset: String
    /// The sparse kernel variant (`SparseKernelVariant.best`).
    var kernel: String
    /// Mean over the batches of nnz / (batch · active columns), the rule's measure.
    var density: Double
    /// Median seconds per batch.
    var denseSeconds: Double
    var sparseSeconds: Double
    /// Median seconds per batch of the sparse gather alone (CSR), part of `sparseSeconds`.
    var buildSeconds: Double
    /// Median CPU seconds of the calling thread per batch (1 thread only: with more, the kernels'
    /// other threads are not counted). Steadier than wall time when other work shares the cores.
    var denseCPUSeconds: Double?
    var sparseCPUSeconds: Double?
    /// Batches the density rule sends to the sparse kernels, of `batches`.
    var sparseBatches: Int
    var batches: Int

    var ratio: Double { sparseSeconds / denseSeconds }

    var line: String {
        "\(pad(dataset, 22)) density \(fmt(density, 3))  dense \(fmt(denseSeconds * 1e3, 3)) ms  "
            + "sparse (\(kernel)) \(fmt(sparseSeconds * 1e3, 3)) ms (gather \(fmt(buildSeconds * 1e3, 3)))  "
            + "sparse/dense \(fmt(ratio, 2))x" + cpuRatio + "  rule: sparse for \(sparseBatches)/\(batches)"
    }

    private var cpuRatio: String {
        guard let dense = denseCPUSeconds, let sparse = sparseCPUSeconds else { return "" }
        return " (CPU time \(fmt(sparse / dense, 2))x)"
    }
}

enum FirstLayerMeasurement {
    /// Times `batches` shuffled batches of `images`, `rounds` times over (after one warm-up round),
    /// dense and sparse interleaved batch by batch so both see the same machine; medians per batch.
    static func measure(_ images: LabeledImages, name: String, hidden: Int, batchSize: Int, threads: Int,
                        batches: Int = 40, rounds: Int = 5) -> FirstLayerTiming {
        let inputs = images.pixelsPerImage, lr: Float = 0.2
        let mlp = MLP(layerSizes: [inputs, hidden, 10], maxBatch: batchSize)
        var generator = SeededGenerator(seed: 12)
        mlp.initialize(.normal, generator: &generator)
        let sparse = SparseInput(inputSize: inputs, maxBatch: batchSize, threads: threads)
        let input = InputBatch(maxBatch: batchSize, inputSize: inputs)
        var weights = Array(UnsafeBufferPointer(start: mlp.parameters + mlp.weightOffset(0), count: inputs * hidden))
        var bias = Array(UnsafeBufferPointer(start: mlp.parameters + mlp.biasOffset(0), count: hidden))
        var output = [Float](repeating: 0, count: batchSize * hidden)
        // dZ1 of a trained network's size: small, so a few hundred steps leave the weights sane.
        let dOutput = (0..<(batchSize * hidden)).map { _ in Float(generator.nextNormal() * 1e-4) }
        var order = (0..<images.count).map { Int32($0) }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let count = min(batches, images.count / batchSize)

        var dense: [Double] = [], sparseTimes: [Double] = [], build: [Double] = []
        var denseCPU: [Double] = [], sparseCPU: [Double] = []
        var densitySum = 0.0, sparseBatches = 0
        func seconds(_ work: () -> Void) -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            work()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        func threadCPU() -> Double {
            var time = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        }
        order.withUnsafeBufferPointer { order in
            for round in 0...rounds {
                for b in 0..<count {
                    let indices = UnsafeBufferPointer(rebasing: order[(b * batchSize)..<((b + 1) * batchSize)])
                    let c0 = threadCPU()
                    let d = seconds {
                        // The engine's whole dense step (the merge with main's engine split; round 2 times both paths so).
                        input.loadCompacted(images, indices: indices)
                        mlp.forward(input, batch: indices.count)
                        mlp.backward(input, batch: indices.count, into: GradientTarget(buffer: mlp.parameters, alpha: -lr, beta: 1))
                    }
                    let c1 = threadCPU()
                    var g = 0.0
                    let s = seconds {
                        g = seconds { sparse.load(images, indices: indices) }
                        sparse.forward(weights: weights, bias: bias, output: &output, hidden: hidden, relu: true)
                        sparse.update(dOutput: dOutput, weights: &weights, bias: &bias, hidden: hidden, alpha: -lr, beta: 1)
                    }
                    let c2 = threadCPU()
                    guard round > 0 else { continue }
                    dense.append(d); sparseTimes.append(s); build.append(g)
                    denseCPU.append(c1 - c0); sparseCPU.append(c2 - c1)
                    if round == 1 {
                        densitySum += sparse.density
                        if sparse.prefersSparse { sparseBatches += 1 }
                    }
                }
            }
        }
        return FirstLayerTiming(dataset: name, kernel: sparse.variant.rawValue, density: densitySum / Double(max(count, 1)),
                                denseSeconds: median(dense), sparseSeconds: median(sparseTimes), buildSeconds: median(build),
                                denseCPUSeconds: threads == 1 ? median(denseCPU) : nil,
                                sparseCPUSeconds: threads == 1 ? median(sparseCPU) : nil,
                                sparseBatches: sparseBatches, batches: count)
    }

    /// Heap allocations (every thread) in 20 sparse steps after a warm-up one (the alloc counter preloaded).
    static func sparseStepAllocations(_ images: LabeledImages, hidden: Int, batchSize: Int, threads: Int,
                                      counter: AllocationCount.Counter) -> Int {
        let sparse = SparseInput(inputSize: images.pixelsPerImage, maxBatch: batchSize, threads: threads)
        var weights = [Float](repeating: 0.01, count: images.pixelsPerImage * hidden)
        var bias = [Float](repeating: 0, count: hidden), output = [Float](repeating: 0, count: batchSize * hidden)
        let dOutput = [Float](repeating: 1e-4, count: batchSize * hidden)
        let indices = (0..<Int32(batchSize)).map { $0 }
        var before = 0
        indices.withUnsafeBufferPointer { indices in
            for step in 0...20 {
                if step == 1 { before = counter() }
                sparse.load(images, indices: indices)
                sparse.forward(weights: weights, bias: bias, output: &output, hidden: hidden, relu: true)
                sparse.update(dOutput: dOutput, weights: &weights, bias: &bias, hidden: hidden, alpha: -0.2, beta: 1)
            }
        }
        return counter() - before
    }

    /// Images whose pixels are each nonzero (a byte 1...255) with probability `density`: the sweep
    /// that places the rule's threshold (every column is active in a batch, so nothing is compacted).
    static func syntheticImages(density: Double, count: Int = 2560, side: Int = 28) -> LabeledImages {
        var generator = SeededGenerator(seed: UInt64(density * 1000))
        let pixels = (0..<(count * side * side)).map { _ in
            generator.nextUnitDouble() < density ? UInt8(1 + generator.next() % 255) : 0
        }
        return LabeledImages(count: count, rows: side, cols: side, pixels: pixels,
                             labels: [UInt8](repeating: 0, count: count))
    }

    /// `--first-layer`: MNIST, Fashion-MNIST (when installed) and the density sweep, printed.
    static func report(hidden: Int, batchSize: Int, threads: Int) throws {
        print("First layer step (gather, X·W0 + b0 + ReLU, fused SGD update), hidden \(hidden), batch \(batchSize), "
              + "\(threads) thread\(threads == 1 ? "" : "s"); medians per batch over 5 rounds of 40 shuffled batches:")
        var sets: [(String, LabeledImages)] = [("MNIST", try Dataset.load(.bundledMNIST).train)]
        if let fashion = try? Dataset.load(.fashion) { sets.append(("Fashion-MNIST", fashion.train)) }
        for density in [0.15, 0.25, 0.3, 0.35, 0.4, 0.5] {
            sets.append(("random \(Int(density * 100))% nonzero", syntheticImages(density: density)))
        }
        for (name, images) in sets {
            print("  " + measure(images, name: name, hidden: hidden, batchSize: batchSize, threads: threads).line)
        }
        if let counter = AllocationCount.totalCounter() {
            let allocations = sparseStepAllocations(sets[0].1, hidden: hidden, batchSize: batchSize, threads: threads,
                                                    counter: counter)
            print("  heap allocations in 20 sparse steps (all threads): \(allocations)")
        }
        print("  (rule: sparse when density < \(SparseInput.densityThreshold) with a vector kernel)")
    }
}
