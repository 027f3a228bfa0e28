import Engine
import Foundation
import MNISTData

/// The engine's training step (gather, forward, loss, backward, plain SGD update) on the same shuffled
/// batches with its first layer two ways: dense (BLAS over the batch's active columns, the arithmetic
/// of before issue 12) and sparse (the kernels over the nonzero pixels, their gather included); the
/// rest of the step is the same, so the difference is the first layer's.
struct FirstLayerTiming: Codable {
    var dataset: String
    /// The sparse kernel variant (`SparseKernelVariant.best`).
    var kernel: String
    /// Mean over the batches of nnz / (batch · active columns), the rule's measure.
    var density: Double
    /// Median seconds per step, first layer dense and sparse.
    var denseSeconds: Double
    var sparseSeconds: Double
    /// The sparse step with its hidden layers' GEMMs on OpenBLAS's own threads instead of split by rows
    /// over the kernels' threads (`ParallelLinear`); measured with 2 threads or more only.
    var sparseBlasThreadsSeconds: Double?
    /// Median seconds per batch of the sparse gather alone, part of `sparseSeconds`.
    var buildSeconds: Double
    /// Median CPU seconds of the calling thread per step (1 thread only: with more, the kernels'
    /// other threads are not counted). Steadier than wall time when other work shares the cores.
    var denseCPUSeconds: Double?
    var sparseCPUSeconds: Double?
    /// Batches the density rule sends to the sparse kernels, of `batches`.
    var sparseBatches: Int
    var batches: Int

    var ratio: Double { sparseSeconds / denseSeconds }

    /// What the engine runs the first layer of most of these batches with: the kernel variant or BLAS.
    var engineKernel: String { 2 * sparseBatches > batches ? kernel : "blas" }

    var line: String {
        "\(pad(dataset, 22)) density \(fmt(density, 3))  step: first layer dense \(fmt(denseSeconds * 1e3, 3)) ms, "
            + "sparse (\(kernel)) \(fmt(sparseSeconds * 1e3, 3)) ms (gather \(fmt(buildSeconds * 1e3, 3)))  "
            + "sparse/dense \(fmt(ratio, 2))x" + cpuRatio + "  rule: sparse for \(sparseBatches)/\(batches)"
            + (sparseBlasThreadsSeconds.map { "\n    hidden layers on OpenBLAS's threads instead: sparse \(fmt($0 * 1e3, 3)) ms, "
                + "split by rows / OpenBLAS-threaded \(fmt(sparseSeconds / $0, 2))x" } ?? "")
    }

    private var cpuRatio: String {
        guard let dense = denseCPUSeconds, let sparse = sparseCPUSeconds else { return "" }
        return " (CPU time \(fmt(sparse / dense, 2))x)"
    }
}

enum FirstLayerMeasurement {
    /// Times `batches` shuffled batches of `images`, `rounds` times over (after one warm-up round),
    /// each round timing the batches dense, then sparse (rounds alternate, so both see the same
    /// machine); medians per step.
    /// With 2 threads or more, also the sparse step with its hidden layers on OpenBLAS's threads.
    /// Two networks of `layers` from one initialisation, one per path, each trained by its steps.
    static func measure(_ images: LabeledImages, name: String, layers: [Int], batchSize: Int, threads: Int,
                        batches: Int = 40, rounds: Int = 5) -> FirstLayerTiming {
        let lr: Float = 0.05  // small: some hundred steps on random-pixel data stay finite
        var generator = SeededGenerator(seed: 12)
        func network() -> MLP {
            let mlp = MLP(layerSizes: layers, maxBatch: batchSize)
            var start = generator
            mlp.initialize(.normal, generator: &start)
            return mlp
        }
        let dense = network(), sparse = network(), blasThreaded = network()
        let denseInput = InputBatch(maxBatch: batchSize, inputSize: layers[0], threads: threads)
        let sparseInput = InputBatch(maxBatch: batchSize, inputSize: layers[0], threads: threads)
        let blasThreadedInput = InputBatch(maxBatch: batchSize, inputSize: layers[0], threads: threads)
        denseInput.firstLayerPath = .dense
        sparseInput.firstLayerPath = .sparse
        blasThreadedInput.firstLayerPath = .sparse
        blasThreadedInput.splitsHiddenLayers = false
        var order = (0..<images.count).map { Int32($0) }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
        }
        let count = min(batches, images.count / batchSize)

        var denseTimes: [Double] = [], sparseTimes: [Double] = [], build: [Double] = [], blasThreadedTimes: [Double] = []
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
        func step(_ mlp: MLP, _ input: InputBatch, _ batch: Int) {
            input.applyBlasThreads()  // as the trainer does after each load
            mlp.forward(input, batch: batch)
            mlp.backward(input, batch: batch, into: GradientTarget(buffer: mlp.parameters, alpha: -lr, beta: 1))
        }
        // Each round times the batches variant by variant, not batch by batch: after a call on two
        // threads OpenBLAS's worker spins for about 0.1 s, and a step of another variant right after
        // would race it for the second core (a cost no training run pays: a run keeps one form).
        // The pause between variants lets that worker park; rounds alternate over the same machine.
        func settle() { usleep(150_000) }
        order.withUnsafeBufferPointer { order in
            func indices(_ b: Int) -> UnsafeBufferPointer<Int32> {
                UnsafeBufferPointer(rebasing: order[(b * batchSize)..<((b + 1) * batchSize)])
            }
            for round in 0...rounds {
                settle()
                for b in 0..<count {
                    let c0 = threadCPU()
                    let d = seconds {
                        denseInput.loadCompacted(images, indices: indices(b))
                        step(dense, denseInput, batchSize)
                    }
                    guard round > 0 else { continue }
                    denseTimes.append(d)
                    denseCPU.append(threadCPU() - c0)
                }
                settle()
                for b in 0..<count {
                    let c1 = threadCPU()
                    var g = 0.0
                    let s = seconds {
                        g = seconds { sparseInput.loadCompacted(images, indices: indices(b)) }
                        step(sparse, sparseInput, batchSize)
                    }
                    guard round > 0 else { continue }
                    sparseTimes.append(s); build.append(g)
                    sparseCPU.append(threadCPU() - c1)
                    if round == 1, let kernels = sparseInput.sparseKernels {
                        densitySum += kernels.density
                        if kernels.prefersSparse { sparseBatches += 1 }
                    }
                }
                guard threads > 1 else { continue }
                settle()
                for b in 0..<count {
                    let t = seconds {
                        blasThreadedInput.loadCompacted(images, indices: indices(b))
                        step(blasThreaded, blasThreadedInput, batchSize)
                    }
                    if round > 0 { blasThreadedTimes.append(t) }
                }
            }
        }
        return FirstLayerTiming(dataset: name, kernel: SparseKernelVariant.best.rawValue,
                                density: densitySum / Double(max(count, 1)),
                                denseSeconds: median(denseTimes), sparseSeconds: median(sparseTimes),
                                sparseBlasThreadsSeconds: threads > 1 ? median(blasThreadedTimes) : nil,
                                buildSeconds: median(build),
                                denseCPUSeconds: threads == 1 ? median(denseCPU) : nil,
                                sparseCPUSeconds: threads == 1 ? median(sparseCPU) : nil,
                                sparseBatches: sparseBatches, batches: count)
    }

    /// Images whose pixels are each nonzero (a byte 1...255) with probability `density`: the sweep
    /// that places the rule's threshold (every column is active in a batch, so nothing is compacted).
    static func syntheticImages(density: Double, count: Int = 2560, side: Int = 28) -> LabeledImages {
        var generator = SeededGenerator(seed: UInt64(density * 1000))
        let pixels = (0..<(count * side * side)).map { _ in
            generator.nextUnitDouble() < density ? UInt8(1 + generator.next() % 255) : 0
        }
        return LabeledImages(count: count, rows: side, cols: side, pixels: pixels,
                             labels: (0..<count).map { UInt8($0 % 10) })
    }

    /// `--first-layer`: MNIST, Fashion-MNIST (when installed) and the density sweep, printed.
    static func report(layers: [Int], batchSize: Int, threads: Int) throws {
        print("Engine step (gather, forward, backward, SGD update), layers \(layers.map(String.init).joined(separator: "-")), "
              + "batch \(batchSize), \(threads) thread\(threads == 1 ? "" : "s"), first layer dense (BLAS) and sparse; "
              + "medians per step over 5 rounds of 40 shuffled batches:")
        var sets: [(String, LabeledImages)] = [("MNIST", try Dataset.load(.bundledMNIST).train)]
        if let fashion = try? Dataset.load(.fashion) { sets.append(("Fashion-MNIST", fashion.train)) }
        for density in [0.15, 0.25, 0.3, 0.35, 0.4, 0.5] {
            sets.append(("random \(Int(density * 100))% nonzero", syntheticImages(density: density)))
        }
        for (name, images) in sets {
            print("  " + measure(images, name: name, layers: layers, batchSize: batchSize, threads: threads).line)
        }
        print("  (rule: sparse when density < \(SparseInput.densityThreshold) with a vector kernel)")
    }
}
